/*
 * test_core.c - host-compiled unit tests of the portable firmware core against the golden
 * vectors (vectors.inc is generated from ../../protocol/vectors.json) plus the motor and ring
 * state machines. Prints one line per failure and "core tests: N checks, F failed"; exit 1 on
 * failure. Build: see build_tests.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd_button.h"
#include "cd_motor.h"
#include "cd_proto.h"
#include "cd_sampler.h"

static int checks, failures;

#define EXPECT(cond, ...)                                                   \
	do {                                                                \
		checks++;                                                   \
		if (!(cond)) {                                              \
			failures++;                                         \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);         \
			printf(__VA_ARGS__);                                \
			printf("\n");                                       \
		}                                                           \
	} while (0)

static void check_crc(const uint8_t *data, size_t n, unsigned expected)
{
	EXPECT(cd_crc16(data, n) == expected, "crc %04x != %04x", cd_crc16(data, n), expected);
}

static void check_cobs(const uint8_t *raw, size_t n, const uint8_t *enc, size_t m)
{
	uint8_t buf[600];
	size_t got = cd_cobs_encode(raw, n, buf);
	EXPECT(got == m && memcmp(buf, enc, m) == 0, "cobs encode of %zu bytes", n);
	int dec = cd_cobs_decode(enc, m, buf);
	EXPECT(dec == (int)n && memcmp(buf, raw, n) == 0, "cobs decode of %zu bytes", m);
}

static void expect_wire(const char *name, const uint8_t *got, size_t got_n, const uint8_t *wire,
			size_t n)
{
	EXPECT(got_n == n && memcmp(got, wire, n) == 0, "%s: encoded %zu bytes, expected %zu%s",
	       name, got_n, n, got_n == n ? " (content differs)" : "");
}

static void check_samples(const char *name, const uint8_t *wire, size_t n, unsigned seq,
			  uint32_t t_us, unsigned mask, unsigned per_ch, const uint16_t *values)
{
	uint8_t out[CD_MAX_WIRE];
	size_t got = cd_encode_samples(out, sizeof out, (uint16_t)seq, t_us, (uint8_t)mask,
				       (uint8_t)per_ch, values);
	expect_wire(name, out, got, wire, n);
	EXPECT(cd_encode_samples(out, n - 1, (uint16_t)seq, t_us, (uint8_t)mask, (uint8_t)per_ch,
				 values) == 0, "%s: too small a buffer must fail", name);
}

static void check_status(const char *name, const uint8_t *wire, size_t n, unsigned seq,
			 uint32_t t_us, unsigned mask, unsigned rate, unsigned bits, unsigned signal,
			 unsigned battery, uint32_t lost, const char *fw)
{
	uint8_t out[CD_MAX_WIRE];
	cd_status_t s = {t_us, (uint8_t)mask, (uint16_t)rate, (uint8_t)bits, (uint8_t)signal,
			 (uint8_t)battery, lost, fw};
	expect_wire(name, out, cd_encode_status(out, sizeof out, (uint16_t)seq, &s), wire, n);
}

static void check_ack(const char *name, const uint8_t *wire, size_t n, unsigned seq,
		      unsigned acked, unsigned status)
{
	uint8_t out[CD_MAX_WIRE];
	size_t got = cd_encode_ack(out, sizeof out, (uint16_t)seq, (uint16_t)acked, (uint8_t)status);
	expect_wire(name, out, got, wire, n);
}

static void check_button(const char *name, const uint8_t *wire, size_t n, unsigned seq,
			 uint32_t t_us, unsigned button)
{
	uint8_t out[CD_MAX_WIRE];
	size_t got = cd_encode_button(out, sizeof out, (uint16_t)seq, t_us, (uint8_t)button);
	expect_wire(name, out, got, wire, n);
	EXPECT(cd_encode_button(out, n - 1, (uint16_t)seq, t_us, (uint8_t)button) == 0,
	       "%s: too small a buffer must fail", name);
}

/* feed wire bytes through the byte-wise receiver; return the decoded length (0 = none) */
static size_t receive(cd_rx_t *rx, const uint8_t *wire, size_t n)
{
	size_t got = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = cd_rx_byte(rx, wire[i]);
		if (len)
			got = len;
	}
	return got;
}

static void check_command(const char *name, const uint8_t *wire, size_t n, unsigned seq,
			  unsigned code, unsigned intensity, unsigned repeat, unsigned n_pulses,
			  const uint16_t *on, const uint16_t *off, unsigned rate)
{
	cd_rx_t rx;
	cd_command_t cmd;
	cd_rx_init(&rx);
	size_t len = receive(&rx, wire, n);
	EXPECT(len > 0, "%s: receiver returned no frame", name);
	uint8_t status = cd_parse_command(rx.buf, len, &cmd);
	EXPECT(status == CD_ACK_OK, "%s: parse status %u", name, status);
	EXPECT(cmd.seq == seq && cmd.code == code, "%s: seq/code", name);
	if (code == CD_CMD_VIBRATE) {
		EXPECT(cmd.intensity == intensity && cmd.repeat == repeat && cmd.n_pulses == n_pulses,
		       "%s: vibrate fields", name);
		for (unsigned i = 0; i < n_pulses; i++)
			EXPECT(cmd.on_ms[i] == on[i] && cmd.off_ms[i] == off[i], "%s: pulse %u", name, i);
	}
	if (code == CD_CMD_SET_RATE)
		EXPECT(cmd.rate_hz == rate, "%s: rate", name);
	uint8_t out[CD_MAX_WIRE];
	expect_wire(name, out, cd_encode_command(out, sizeof out, &cmd), wire, n);
}

static void check_invalid(const char *name, const uint8_t *wire, size_t n, unsigned status,
			  unsigned seq)
{
	cd_rx_t rx;
	cd_command_t cmd;
	cd_rx_init(&rx);
	size_t len = receive(&rx, wire, n);
	uint8_t got = len ? cd_parse_command(rx.buf, len, &cmd) : CD_PARSE_IGNORE;
	EXPECT(got == status, "%s: status %u, expected %u", name, got, status);
	if (status != CD_PARSE_IGNORE)
		EXPECT(cmd.seq == seq, "%s: seq %u for the ack, expected %u", name, cmd.seq, seq);
	/* the receiver is back in sync: a good ping right after is parsed */
	uint8_t ping[16];
	cd_command_t p = {.seq = 77, .code = CD_CMD_PING};
	size_t m = cd_encode_command(ping, sizeof ping, &p);
	len = receive(&rx, ping, m);
	EXPECT(len && cd_parse_command(rx.buf, len, &cmd) == CD_ACK_OK && cmd.seq == 77,
	       "%s: no resync", name);
}

static void test_vectors(void)
{
#include "vectors.inc"
}

static cd_command_t vibrate(uint16_t on, uint16_t off, uint8_t repeat)
{
	cd_command_t c = {.code = CD_CMD_VIBRATE, .intensity = 200, .repeat = repeat, .n_pulses = 1};
	c.on_ms[0] = on;
	c.off_ms[0] = off;
	return c;
}

/* run the motor from t0 to t1 in 1 ms steps; return ms spent on and the last on time */
static uint32_t run_motor(cd_motor_t *m, uint32_t t0, uint32_t t1, uint32_t *last_on)
{
	uint32_t on = 0;
	for (uint32_t t = t0; t < t1; t++)
		if (cd_motor_update(m, t)) {
			on++;
			*last_on = t;
		}
	return on;
}

/* What a motor trace (1 = on, one entry per ms) shows against the governor's rules. */
typedef struct {
	uint32_t on_ms, runs, longest_run, shortest_pause, worst_60s, short_rests;
} trace_stats_t;

#define TRACE_MS 200000u
static uint8_t trace[TRACE_MS];

static trace_stats_t trace_stats(uint32_t n)
{
	trace_stats_t s = {0, 0, 0, UINT32_MAX, 0, 0};
	uint32_t run = 0, pause = 0, window = 0, last_run = 0;
	for (uint32_t t = 0; t < n; t++) {
		window += trace[t];
		if (t >= 60000u)
			window -= trace[t - 60000u];
		s.worst_60s = window > s.worst_60s ? window : s.worst_60s;
		s.on_ms += trace[t];
		if (trace[t]) {
			if (run == 0 && s.runs > 0) { /* a pause between two runs ended */
				uint32_t need = (last_run > CD_MOTOR_MAX_RUN_MS ? CD_MOTOR_MAX_RUN_MS : last_run) /
						CD_MOTOR_REST_DIVISOR;
				need = need > CD_MOTOR_MIN_REST_MS ? need : CD_MOTOR_MIN_REST_MS;
				s.shortest_pause = pause < s.shortest_pause ? pause : s.shortest_pause;
				s.short_rests += pause < need;
			}
			s.runs += run == 0;
			run++;
			pause = 0;
			s.longest_run = run > s.longest_run ? run : s.longest_run;
		} else {
			if (run)
				last_run = run;
			run = 0;
			pause++;
		}
	}
	return s;
}

static void expect_safe(const char *name, trace_stats_t s)
{
	printf("%-34s on %6u ms in %4u runs, longest run %4u ms, shortest pause %5u ms, "
	       "worst 60 s %5u ms\n", name, s.on_ms, s.runs, s.longest_run,
	       s.shortest_pause == UINT32_MAX ? 0 : s.shortest_pause, s.worst_60s);
	EXPECT(s.longest_run <= CD_MOTOR_MAX_RUN_MS, "%s: run of %u ms", name, s.longest_run);
	EXPECT(s.runs < 2 || s.shortest_pause >= CD_MOTOR_MIN_REST_MS, "%s: pause of %u ms", name,
	       s.shortest_pause);
	EXPECT(s.short_rests == 0, "%s: %u rests shorter than run / 3", name, s.short_rests);
	EXPECT(s.worst_60s <= CD_MOTOR_DUTY_MAX_ON_MS, "%s: %u ms on in 60 s", name, s.worst_60s);
}

/* A host that sends `cmd` every `every_ms` (and so keeps the heartbeat alive) for `ms`. */
static trace_stats_t flood(const cd_command_t *cmd, uint32_t every_ms, uint32_t ms, uint32_t t0)
{
	cd_motor_t m;
	cd_motor_init(&m, t0);
	for (uint32_t t = 0; t < ms; t++) {
		if (t % every_ms == 0) {
			cd_motor_heartbeat(&m, t0 + t);
			cd_motor_start(&m, cmd, t0 + t);
		}
		trace[t] = cd_motor_update(&m, t0 + t) != 0;
	}
	return trace_stats(ms);
}

static void test_motor_floods(void)
{
	static const uint32_t every[] = {1, 10, 17, 20, 50, 333, 1000, 2999};
	char name[64];
	cd_command_t c = vibrate(3000, 0, 1), eight = vibrate(3000, 1, 255);
	eight.n_pulses = 8;
	for (uint8_t i = 0; i < 8; i++) {
		eight.on_ms[i] = 3000;
		eight.off_ms[i] = 1;
	}
	for (size_t i = 0; i < sizeof every / sizeof every[0]; i++) {
		snprintf(name, sizeof name, "flood 3000 ms pulse every %u ms", every[i]);
		trace_stats_t s = flood(&c, every[i], 180000u, 0xFFFF0000u); /* wraps the ms clock */
		expect_safe(name, s);
		/* the governor is a limit, not an off switch: a flood still vibrates at the cap */
		EXPECT(s.worst_60s >= CD_MOTOR_DUTY_MAX_ON_MS - CD_MOTOR_MAX_RUN_MS, "%s: only %u ms",
		       name, s.worst_60s);
		snprintf(name, sizeof name, "flood 8x(3000 on/1 off) every %u ms", every[i]);
		expect_safe(name, flood(&eight, every[i], 180000u, 12345u));
	}
	/* the 1 ms-pause pattern sent once, pinged every second for 180 s */
	cd_motor_t m;
	cd_motor_init(&m, 0);
	cd_motor_heartbeat(&m, 0);
	cd_motor_start(&m, &eight, 0);
	for (uint32_t t = 0; t < 180000u; t++) {
		if (t % 1000 == 0)
			cd_motor_heartbeat(&m, t);
		trace[t] = cd_motor_update(&m, t) != 0;
	}
	trace_stats_t s = trace_stats(180000u);
	expect_safe("8x(3000 on/1 off) x255 with pings", s);
	EXPECT(s.on_ms == CD_MOTOR_DUTY_MAX_ON_MS && m.cut_duty == 1 && !m.active,
	       "3000 on/1 off with pings: %u ms on, stopped by the duty cap", s.on_ms);
	/* pulses of 1 ms on / 1 ms off: every on is followed by >= 100 ms off */
	cd_command_t buzz = vibrate(1, 1, 255);
	expect_safe("flood 1 on/1 off every 10 ms", flood(&buzz, 10, 70000u, 0));
	/* the crampdetect patterns (alerts/patterns.py) are played as sent: nothing lengthened */
	static const uint16_t patterns[][6] = {
		{150, 350, 300, 350, 500, 0},   {500, 400, 700, 400, 900, 0},
		{1000, 500, 1000, 500, 1000, 0}, {700, 250, 700, 250, 700, 0},
		{800, 400, 800, 400, 800, 400},
	};
	for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
		cd_command_t pat = {.code = CD_CMD_VIBRATE, .intensity = 80, .repeat = 1, .n_pulses = 3};
		uint32_t want = 0, last = 0;
		for (uint8_t k = 0; k < 3; k++) {
			pat.on_ms[k] = patterns[p][2 * k];
			pat.off_ms[k] = patterns[p][2 * k + 1];
			want += pat.on_ms[k];
		}
		cd_motor_init(&m, 0);
		cd_motor_heartbeat(&m, 0);
		cd_motor_start(&m, &pat, 0);
		uint32_t on = 0;
		for (uint32_t t = 0; t < 6000; t += 1000) { /* pinged every second */
			cd_motor_heartbeat(&m, t);
			on += run_motor(&m, t, t + 1000, &last);
		}
		EXPECT(on == want && m.cut_runs == 0, "pattern %zu: %u of %u ms on", p, on, want);
	}
}

/* A host stuck sending vibrate every 20 ms for 12 min: 30 s of runs, then the 5 min cool-down,
 * then it may buzz again: 30 s in every 5.65 min (~9 %). Before the lockout such a host got
 * 30 s of buzzing in every minute for as long as it ran. */
static void test_motor_lockout(void)
{
	cd_command_t c = vibrate(3000, 0, 1);
	cd_motor_t m;
	uint32_t t0 = 0xFFFE0000u; /* the cool-down spans the millisecond counter's wrap */
	cd_motor_init(&m, t0);
	uint32_t lock_at = 0, on_before = 0, on_locked = 0, first_after = 0;
	for (uint32_t t = 0; t < 720000u; t++) {
		if (t % 20 == 0) {
			cd_motor_heartbeat(&m, t0 + t);
			cd_motor_start(&m, &c, t0 + t);
		}
		uint8_t on = cd_motor_update(&m, t0 + t) != 0;
		if (m.lockouts && !lock_at)
			lock_at = t;
		if (!lock_at)
			on_before += on;
		else if (t - lock_at < CD_MOTOR_LOCKOUT_MS)
			on_locked += on;
		else if (on && !first_after)
			first_after = t;
	}
	printf("stuck host, vibrate every 20 ms    cool-down from %u ms after %u ms on, %u ms on in "
	       "it, next run at %u ms\n", lock_at, on_before, on_locked, first_after);
	EXPECT(on_before == CD_MOTOR_DUTY_MAX_ON_MS && lock_at >= 39000u && lock_at <= 39100u,
	       "cool-down at %u ms after %u ms on", lock_at, on_before);
	EXPECT(on_locked == 0, "%u ms on during the cool-down", on_locked);
	EXPECT(first_after >= lock_at + CD_MOTOR_LOCKOUT_MS &&
		       first_after <= lock_at + CD_MOTOR_LOCKOUT_MS + 1100u,
	       "next run at %u ms (a cool-down, not an off switch)", first_after);

	/* crampdetect's busiest prompting never gets near it: the training prompt (3 x 700 ms on,
	 * 250 ms off) every 10 s, its refractory period, for 10 min, pinged every second */
	static const uint16_t firm[6] = {700, 250, 700, 250, 700, 0};
	cd_command_t pat = {.code = CD_CMD_VIBRATE, .intensity = 230, .repeat = 1, .n_pulses = 3};
	for (uint8_t k = 0; k < 3; k++) {
		pat.on_ms[k] = firm[2 * k];
		pat.off_ms[k] = firm[2 * k + 1];
	}
	cd_motor_init(&m, 0);
	uint32_t on = 0, last = 0;
	for (uint32_t t = 0; t < 600000u; t += 1000) {
		cd_motor_heartbeat(&m, t);
		if (t % 10000 == 0)
			cd_motor_start(&m, &pat, t);
		on += run_motor(&m, t, t + 1000, &last);
	}
	EXPECT(on == 60u * 2100u && m.lockouts == 0 && m.cut_duty == 0 && m.cut_runs == 0,
	       "training prompts every 10 s: %u ms on, %u cool-downs", on, m.lockouts);
}

static void test_motor(void)
{
	cd_motor_t m;
	uint32_t last = 0, on_ms;
	cd_motor_init(&m, 0);
	cd_command_t c = vibrate(200, 100, 3);
	cd_motor_start(&m, &c, 1000); /* never heard from the host: refuses to run */
	EXPECT(cd_motor_update(&m, 1000) == 0, "motor ran without a heartbeat");

	cd_motor_init(&m, 1000);
	cd_motor_heartbeat(&m, 1000);
	cd_motor_start(&m, &c, 1000);
	EXPECT(cd_motor_update(&m, 1000) == 200, "pattern starts on at the given intensity");
	on_ms = run_motor(&m, 1000, 2500, &last);
	EXPECT(on_ms == 600 && last == 1000 + 2 * 300 + 199, "3 x 200 ms on: %u ms on, last %u",
	       on_ms, last);
	EXPECT(!m.active, "pattern ends by itself");

	/* a pulse never lasts longer than 3 s, even if the command says more */
	cd_motor_init(&m, 0);
	cd_motor_heartbeat(&m, 0);
	c = vibrate(60000, 0, 1);
	cd_motor_start(&m, &c, 0);
	on_ms = 0;
	for (uint32_t t = 0; t < 10000; t += 500) { /* host alive all along */
		cd_motor_heartbeat(&m, t);
		on_ms += run_motor(&m, t, t + 500, &last);
	}
	EXPECT(on_ms == CD_MOTOR_MAX_RUN_MS && last == CD_MOTOR_MAX_RUN_MS - 1,
	       "pulse capped at 3 s (%u ms on, last on %u)", on_ms, last);

	/* back-to-back pulses (0 ms pauses) are one run: stopped at 3 s */
	cd_motor_init(&m, 0);
	c = (cd_command_t){.code = CD_CMD_VIBRATE, .intensity = 99, .repeat = 3, .n_pulses = 2};
	c.on_ms[0] = c.on_ms[1] = 2000;
	on_ms = 0;
	for (uint32_t t = 0; t < 10000; t += 500) {
		if (t == 0) {
			cd_motor_heartbeat(&m, 0);
			cd_motor_start(&m, &c, 0);
		}
		cd_motor_heartbeat(&m, t);
		on_ms += run_motor(&m, t, t + 500, &last);
	}
	EXPECT(on_ms == CD_MOTOR_MAX_RUN_MS && !m.active, "joined pulses: %u ms on", on_ms);
	/* a pause shorter than run / 3 is lengthened: 2900 on, 100 off -> 966 ms of rest, the
	 * second pulse (pattern clock 3000-5900) starts at 3866 */
	cd_motor_init(&m, 0);
	cd_motor_heartbeat(&m, 0);
	c = vibrate(2900, 100, 2);
	cd_motor_start(&m, &c, 0);
	on_ms = 0;
	for (uint32_t t = 0; t < 8000; t += 500) {
		cd_motor_heartbeat(&m, t);
		on_ms += run_motor(&m, t, t + 500, &last);
	}
	EXPECT(on_ms == 2900 + (5900 - 3866) && last == 5899, "2 x 2900 ms / 100 ms: %u ms on",
	       on_ms);

	/* heartbeat loss stops a long pattern */
	cd_motor_init(&m, 5000);
	cd_motor_heartbeat(&m, 5000);
	c = vibrate(1000, 10, 255);
	cd_motor_start(&m, &c, 5000);
	EXPECT(run_motor(&m, 5000, 20000, &last) > 0 && last == 5000 + CD_HEARTBEAT_TIMEOUT_MS - 1,
	       "heartbeat loss: last on at %u", last);
	EXPECT(!m.active, "stopped after heartbeat loss");

	/* stop command; millisecond counter wrap */
	cd_motor_init(&m, 0xFFFFFF00u);
	cd_motor_heartbeat(&m, 0xFFFFFF00u);
	c = vibrate(1000, 0, 1);
	cd_motor_start(&m, &c, 0xFFFFFF00u);
	EXPECT(cd_motor_update(&m, 0xFFFFFF00u) == 200, "on before the counter wrap");
	EXPECT(cd_motor_update(&m, 0x00000010u) == 200, "on across the counter wrap");
	EXPECT(cd_motor_update(&m, 0xFFFFFF00u + 1000u) == 0, "off after 1000 ms across the wrap");
	EXPECT(cd_motor_window_on_ms(&m) == 1000, "on-time across the wrap: %u",
	       cd_motor_window_on_ms(&m));
	cd_motor_heartbeat(&m, 0x1000u);
	cd_motor_start(&m, &c, 0x1000u);
	EXPECT(cd_motor_update(&m, 0x1001u) == 200, "restarted after its rest");
	cd_motor_stop(&m);
	EXPECT(cd_motor_update(&m, 0x1002u) == 0, "stop");

	/* a late update (big time jump) walks through every phase */
	cd_motor_init(&m, 0);
	cd_motor_heartbeat(&m, 0);
	c = vibrate(10, 10, 5);
	cd_motor_start(&m, &c, 0);
	EXPECT(cd_motor_update(&m, 95) == 0 && m.active, "in the off phase of play 5");
	EXPECT(cd_motor_update(&m, 100) == 0 && !m.active, "finished after 5 plays");

	/* duty window: 30 s of on-time fill it; it drains as the buckets age out, and an update
	 * a day late starts from an empty window */
	cd_motor_init(&m, 0);
	c = vibrate(3000, 1000, 255);
	cd_motor_heartbeat(&m, 0);
	cd_motor_start(&m, &c, 0);
	for (uint32_t t = 0; t < 60000; t++) {
		if (t % 1000 == 0)
			cd_motor_heartbeat(&m, t);
		trace[t] = cd_motor_update(&m, t) != 0;
	}
	trace_stats_t s = trace_stats(60000);
	EXPECT(s.on_ms == CD_MOTOR_DUTY_MAX_ON_MS && s.runs == 10 && s.longest_run == 3000,
	       "3000/1000 pattern: %u ms on in %u runs", s.on_ms, s.runs);
	EXPECT(cd_motor_window_on_ms(&m) == CD_MOTOR_DUTY_MAX_ON_MS, "window %u",
	       cd_motor_window_on_ms(&m));
	cd_motor_heartbeat(&m, 60000);
	cd_motor_start(&m, &c, 60000);
	EXPECT(cd_motor_update(&m, 60000) == 0, "window full: the motor stays off");
	cd_motor_update(&m, 60000 + 86400000u);
	EXPECT(cd_motor_window_on_ms(&m) == 0, "a day later: window %u", cd_motor_window_on_ms(&m));
	test_motor_floods();
}

/* A contact that bounces for 8 ms on press and release counts once; spikes shorter than the
 * debounce time never count; holding it down counts once. */
static void test_button(void)
{
	cd_button_t b;
	uint32_t presses = 0, first = 0;
	cd_button_init(&b, 0);
	for (uint32_t t = 0; t < 3000; t++) {
		uint8_t raw = 0;
		if (t >= 100 && t < 108) /* press: chatter for 8 ms */
			raw = t % 2;
		else if (t >= 108 && t < 600) /* held for ~0.5 s */
			raw = 1;
		else if (t >= 600 && t < 608) /* release: chatter */
			raw = !(t % 2);
		else if (t >= 1000 && t < 1000 + CD_BUTTON_DEBOUNCE_MS - 1) /* a short spike */
			raw = 1;
		else if (t >= 2000 && t < 2100) /* a second press */
			raw = 1;
		if (cd_button_update(&b, raw, t)) {
			presses++;
			first = first ? first : t;
		}
	}
	EXPECT(presses == 2, "button: %u presses counted, expected 2", presses);
	EXPECT(first == 107 + CD_BUTTON_DEBOUNCE_MS, /* the chatter last closed at 107 */
	       "button: first press at %u ms", first);
	/* across the millisecond counter wrap */
	cd_button_init(&b, 0xFFFFFFF0u);
	presses = 0;
	for (uint32_t k = 0; k < 100; k++)
		presses += cd_button_update(&b, 1, 0xFFFFFFF0u + k);
	EXPECT(presses == 1, "button across the wrap: %u presses", presses);
}

static void test_ring(void)
{
	static cd_ring_t r;
	uint16_t out[2 * CD_RING_SETS], set[2];
	uint32_t first = 0;
	cd_ring_init(&r, 2);
	EXPECT(cd_ring_pop(&r, out, 10, &first) == 0, "empty ring");
	for (uint16_t i = 0; i < CD_RING_SETS + 5; i++) {
		set[0] = i;
		set[1] = (uint16_t)(1000 + i);
		cd_ring_push(&r, set);
	}
	EXPECT(r.lost == 5 && cd_ring_count(&r) == CD_RING_SETS, "overflow counted: %u",
	       (unsigned)r.lost);
	EXPECT(cd_ring_pop(&r, out, 10, &first) == 10 && first == 0 && out[0] == 0 &&
		       out[1] == 1000 && out[19] == 1009, "first pop");
	for (uint16_t i = 0; i < 3; i++) { /* sets 69.. after the 5 dropped ones */
		set[0] = (uint16_t)(CD_RING_SETS + 5 + i);
		set[1] = 0;
		cd_ring_push(&r, set);
	}
	uint8_t n = cd_ring_pop(&r, out, 255, &first);
	EXPECT(n == CD_RING_SETS - 10 && first == 10, "pop stops at the gap (%u from %u)", n,
	       (unsigned)first);
	n = cd_ring_pop(&r, out, 255, &first);
	EXPECT(n == 3 && first == CD_RING_SETS + 5 && out[0] == CD_RING_SETS + 5,
	       "after the gap: %u from %u", n, (unsigned)first);
	/* index reconstruction across 2^16 sets */
	for (uint32_t i = 0; i < 70000; i++) {
		set[0] = (uint16_t)i;
		cd_ring_push(&r, set);
		if (cd_ring_count(&r) == 50 && cd_ring_pop(&r, out, 50, &first) != 50)
			break;
	}
	cd_ring_pop(&r, out, 255, &first);
	EXPECT(r.tail_index == r.next_index && r.next_index == CD_RING_SETS + 8 + 70000u,
	       "tail index %u", (unsigned)r.tail_index);
	EXPECT(cd_index_to_us(1500, 1000) == 1500000u && cd_index_to_us(3, 500) == 6000u,
	       "index to µs");
}

static uint32_t rng_state = 12345u;
static uint32_t rnd(void) /* xorshift32: deterministic */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Garbage and corrupted commands into the receiver, parser and motor (ASan/UBSan watch):
 * every accepted command is within the limits, and the motor never runs > 3 s without a pause. */
static void test_fuzz(void)
{
	cd_rx_t rx;
	cd_motor_t m;
	cd_command_t cmd;
	uint8_t wire[CD_MAX_WIRE];
	uint32_t accepted = 0, bad = 0, now = 0, on_run = 0, longest = 0;
	cd_rx_init(&rx);
	cd_motor_init(&m, 0);
	for (uint32_t i = 0; i < 20000; i++) {
		size_t n;
		if (rnd() % 4 == 0) { /* a valid command, then 0-3 random bit flips */
			cd_command_t c = {.seq = (uint16_t)rnd(), .code = (uint8_t)(1 + rnd() % 4)};
			c.intensity = (uint8_t)rnd();
			c.repeat = (uint8_t)(1 + rnd() % 4);
			c.n_pulses = (uint8_t)(1 + rnd() % CD_MAX_PULSES);
			for (uint8_t k = 0; k < c.n_pulses; k++) {
				c.on_ms[k] = (uint16_t)(1 + rnd() % CD_MAX_PULSE_MS);
				c.off_ms[k] = (uint16_t)(rnd() % 4 ? rnd() % 500 : 0);
			}
			c.rate_hz = (uint16_t)(1 + rnd() % 2000);
			wire[0] = 0; /* end whatever garbage came before */
			n = 1 + cd_encode_command(wire + 1, sizeof wire - 1, &c);
			for (uint32_t f = rnd() % 4; f > 0; f--)
				wire[1 + rnd() % (n - 2)] ^= (uint8_t)(1u << (rnd() % 8));
		} else { /* random bytes, zero now and then */
			n = 1 + rnd() % (CD_RX_CAP + 40);
			for (size_t k = 0; k < n; k++)
				wire[k % sizeof wire] = (uint8_t)(rnd() % 16 ? rnd() : 0);
			n = n < sizeof wire ? n : sizeof wire;
		}
		for (size_t k = 0; k < n; k++) {
			size_t len = cd_rx_byte(&rx, wire[k]);
			if (!len)
				continue;
			uint8_t status = cd_parse_command(rx.buf, len, &cmd);
			if (status != CD_ACK_OK)
				continue;
			accepted++;
			if (cmd.code == CD_CMD_VIBRATE) {
				int ok = cmd.n_pulses >= 1 && cmd.n_pulses <= CD_MAX_PULSES && cmd.repeat >= 1;
				for (uint8_t p = 0; ok && p < cmd.n_pulses; p++)
					ok = cmd.on_ms[p] >= 1 && cmd.on_ms[p] <= CD_MAX_PULSE_MS;
				bad += !ok;
				cd_motor_heartbeat(&m, now);
				cd_motor_start(&m, &cmd, now);
			}
			bad += cmd.code == CD_CMD_SET_RATE && cmd.rate_hz == 0;
		}
		for (uint32_t step = rnd() % 200; step > 0; step--, now++) {
			if (rnd() % 50 == 0)
				cd_motor_heartbeat(&m, now);
			uint8_t on = cd_motor_update(&m, now) != 0;
			if (now < TRACE_MS)
				trace[now] = on;
			on_run = on ? on_run + 1 : 0;
			longest = on_run > longest ? on_run : longest;
		}
	}
	EXPECT(accepted > 1000, "fuzz: only %u commands accepted", accepted);
	printf("fuzz: %u commands accepted\n", accepted);
	EXPECT(bad == 0, "fuzz: %u accepted commands out of limits", bad);
	EXPECT(longest <= CD_MAX_PULSE_MS, "fuzz: motor on for %u ms without a pause", longest);
	EXPECT(now >= TRACE_MS, "fuzz: only %u ms", now);
	expect_safe("fuzz, first 200 s", trace_stats(TRACE_MS));
}

int main(void)
{
	test_vectors();
	test_motor();
	test_motor_lockout();
	test_button();
	test_ring();
	test_fuzz();
	printf("core tests: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
