/* cd_motor.c - see cd_motor.h. */
#include "cd_motor.h"

#include <string.h>

void cd_motor_init(cd_motor_t *m, uint32_t now_ms)
{
	memset(m, 0, sizeof(*m));
	m->last_ms = m->bucket_start_ms = m->off_ms = now_ms;
}

void cd_motor_heartbeat(cd_motor_t *m, uint32_t now_ms)
{
	m->last_host_ms = now_ms;
	m->host_seen = 1;
}

void cd_motor_start(cd_motor_t *m, const cd_command_t *cmd, uint32_t now_ms)
{
	m->pattern = *cmd;
	m->index = 0;
	m->plays_left = cmd->repeat;
	m->active = cmd->n_pulses > 0 && cmd->repeat > 0;
	m->on = 1;
	m->phase_start_ms = now_ms;
}

void cd_motor_stop(cd_motor_t *m)
{
	m->active = 0;
	m->on = 0;
}

uint32_t cd_motor_window_on_ms(const cd_motor_t *m)
{
	uint32_t sum = 0;
	for (uint8_t i = 0; i < CD_MOTOR_DUTY_BUCKETS; i++)
		sum += m->on_ms[i];
	return sum;
}

static void add_on_time(cd_motor_t *m, uint32_t ms)
{
	uint32_t v = m->on_ms[m->bucket] + ms;
	m->on_ms[m->bucket] = (uint16_t)(v > 0xFFFFu ? 0xFFFFu : v);
}

/* Count the on-time since the previous update (the output was constant since then) into the
 * buckets, moving the window forward to now_ms. */
static void account(cd_motor_t *m, uint32_t now_ms)
{
	uint32_t t = m->last_ms;
	uint32_t behind = now_ms - m->bucket_start_ms;
	if (behind >= (uint32_t)CD_MOTOR_DUTY_BUCKETS * CD_MOTOR_DUTY_BUCKET_MS) {
		/* a very late update: every bucket is older than the window; only the newest counts */
		memset(m->on_ms, 0, sizeof m->on_ms);
		m->bucket_start_ms = now_ms - behind % CD_MOTOR_DUTY_BUCKET_MS;
		if ((uint32_t)(now_ms - t) > behind % CD_MOTOR_DUTY_BUCKET_MS)
			t = m->bucket_start_ms;
	}
	while ((uint32_t)(now_ms - m->bucket_start_ms) >= CD_MOTOR_DUTY_BUCKET_MS) {
		uint32_t end = m->bucket_start_ms + CD_MOTOR_DUTY_BUCKET_MS;
		if (m->out)
			add_on_time(m, end - t);
		t = end;
		m->bucket_start_ms = end;
		m->bucket = (uint8_t)((m->bucket + 1u) % CD_MOTOR_DUTY_BUCKETS);
		m->on_ms[m->bucket] = 0;
	}
	if (m->out)
		add_on_time(m, now_ms - t);
	m->last_ms = now_ms;
}

/* The duty the pattern asks for at now_ms (0 = off). */
static uint8_t pattern_duty(cd_motor_t *m, uint32_t now_ms)
{
	if (!m->active)
		return 0;
	if (!m->host_seen || (uint32_t)(now_ms - m->last_host_ms) >= CD_HEARTBEAT_TIMEOUT_MS) {
		cd_motor_stop(m);
		return 0;
	}
	/* walk through every phase that ended by now_ms (bounded: at most 2 per pulse and play) */
	for (uint16_t guard = 0; guard < 2u * CD_MAX_PULSES * 256u; guard++) {
		uint32_t length = m->on ? m->pattern.on_ms[m->index] : m->pattern.off_ms[m->index];
		if ((uint32_t)(now_ms - m->phase_start_ms) < length)
			break;
		m->phase_start_ms += length;
		if (m->on) {
			m->on = 0;
			continue;
		}
		m->on = 1;
		if (++m->index >= m->pattern.n_pulses) {
			m->index = 0;
			if (--m->plays_left == 0) {
				cd_motor_stop(m);
				return 0;
			}
		}
	}
	return m->on ? m->pattern.intensity : 0;
}

uint8_t cd_motor_update(cd_motor_t *m, uint32_t now_ms)
{
	account(m, now_ms);
	uint8_t want = pattern_duty(m, now_ms);
	uint8_t duty_full = cd_motor_window_on_ms(m) >= CD_MOTOR_DUTY_MAX_ON_MS;
	if (m->locked && (uint32_t)(now_ms - m->locked_ms) >= CD_MOTOR_LOCKOUT_MS)
		m->locked = 0;
	else if (duty_full && !m->locked) { /* only a misbehaving host gets here: cool down */
		m->locked = 1;
		m->locked_ms = now_ms;
		m->lockouts++;
	}
	if (m->out) {
		uint32_t run = now_ms - m->run_start_ms;
		uint8_t run_full = run >= CD_MOTOR_MAX_RUN_MS;
		if (want && !run_full && !duty_full)
			return want;
		if (want) { /* the pattern asks for more than the limits allow: drop it */
			cd_motor_stop(m);
			m->cut_runs += run_full;
			m->cut_duty += !run_full;
		}
		m->out = 0;
		m->off_ms = now_ms;
		run = (run_full ? CD_MOTOR_MAX_RUN_MS : run) / CD_MOTOR_REST_DIVISOR;
		m->rest_ms = (uint16_t)(run > CD_MOTOR_MIN_REST_MS ? run : CD_MOTOR_MIN_REST_MS);
		return 0;
	}
	if (!want || duty_full || m->locked || (uint32_t)(now_ms - m->off_ms) < m->rest_ms)
		return 0;
	m->out = 1;
	m->run_start_ms = now_ms;
	return want;
}
