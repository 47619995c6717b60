/*
 * cd_harness.c - run the real crampdetect Uno ELF in simavr (Debian libsimavr 1.6):
 *   - ADC0/ADC1 fed from a file of millivolt samples, one line per sample set
 *     ("mv0 mv1", or "mv" for both channels); conversion k of channel c gets line k (mod n);
 *   - UART0 bridged to a pseudo-terminal (own bridge: never drops a byte, no /tmp symlink),
 *     and/or captured to a file, with host bytes scripted at fixed simulated times;
 *   - the motor pin (PORTD5, Arduino D5) logged with simulated time, PWM deglitched;
 *   - hard limits on simulated and wall-clock time.
 *
 * Usage: cd_harness FIRMWARE.elf [options]
 *   -a FILE     ADC input in mV (default: 256-step ramp on both channels)
 *   -t SEC      stop after SEC simulated seconds (default 120)
 *   -T SEC      stop after SEC wall-clock seconds (default 300)
 *   -p FACTOR   pace: simulated seconds per wall second (default 1; 0 = as fast as possible)
 *   -P LIST     pace changes "<sim s>:<factor>,...", e.g. "12:1,20:4" (fast-forward the dull
 *               parts, real time where host latency matters)
 *   -n          no pseudo-terminal (script mode)
 *   -o FILE     write every byte the firmware sends to FILE
 *   -i FILE     scripted host bytes: lines "<sim ms> <hex bytes>", in time order
 *   -b LIST     acknowledge button (Arduino D2, PD2): level changes "<sim ms>:<0|1>,...", 0 =
 *               pressed (pulled to GND), 1 = released; the pin reads 1 (released) until then,
 *               e.g. "1000:0,1002:1,1003:0,1300:1" is a bouncy 0.3 s press
 *   -W          wait for the host's first byte on the pty before starting the simulation
 *               (so a host that opens the port late still sees every frame from the first)
 *   -H MS:ADDR  fault injection: at MS simulated ms the CPU jumps to byte address ADDR (hex)
 *               with interrupts off, as a wild jump or a corrupted return address would; give
 *               the ELF's _exit (cli; rjmp .) for a hang only the watchdog can end
 *
 * Output on stdout, one event per line:
 *   PTY <path>                     slave side of the pseudo-terminal (open it with pyserial)
 *   START                          the simulation starts (after -W: the host's first byte)
 *   ADC t=<s>                      first conversion of channel 0 (sample set 0 is taken here)
 *   HOST t=<s> n=<bytes>           host bytes handed to the UART (pty or script)
 *   SIM t=<s>                      every simulated second (progress)
 *   BUTTON <0|1> t=<s>             the button pin driven to 0 (pressed) / 1 (released)
 *   HANG t=<s> pc=<hex>            the -H fault was injected
 *   RESET t=<s>                    the MCU reset (watchdog): every pin is an input again
 *   MOTOR <0|1> t=<s> cycle=<n>    motor on (first rising edge) / off (low for >= 3 ms; t = edge)
 *   STATS key=value ...            at exit
 * Exit status: 0 ok, 1 firmware crashed, 2 bad usage or input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "avr_adc.h"
#include "avr_ioport.h"
#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_cycle_timers.h"
#include "sim_elf.h"
#include "sim_irq.h"
#include "sim_time.h"

#define MOTOR_OFF_AFTER_US 3000 /* PWM low phases are shorter than this */

typedef struct {
	uint8_t *data;
	size_t len, cap, head;
} bytes_t;

static avr_t *avr;
static volatile sig_atomic_t stop_requested;
static uint32_t (*adc_mv)[2];
static size_t adc_n, conversions[2];
static avr_irq_t *adc_irqs, *uart_in;
static int master_fd = -1, slave_fd = -1, uart_xoff;
static bytes_t tx_pending, rx_pending;
static FILE *tx_file;
static uint64_t tx_bytes, rx_bytes, pin_changes, motor_ons, resets;
static int pin_state, motor_on;
static avr_cycle_count_t last_fall;

typedef struct {
	uint64_t at_cycle;
	uint8_t *bytes;
	size_t n;
} script_t;
static script_t *script;
static size_t script_n, script_next;

typedef struct {
	uint64_t at_cycle;
	int level;
} pin_change_t;
static pin_change_t button[64];
static size_t button_n, button_next;
static avr_irq_t *button_irq;

static void parse_button(char *list)
{
	for (char *item = strtok(list, ","); item && button_n < 64; item = strtok(NULL, ",")) {
		double ms;
		int level;
		if (sscanf(item, "%lf:%d", &ms, &level) != 2 || (level != 0 && level != 1)) {
			fprintf(stderr, "bad -b item %s\n", item);
			exit(2);
		}
		button[button_n].at_cycle = (uint64_t)(ms * 16000.0);
		button[button_n++].level = level;
	}
}

static double hang_ms = -1;
static unsigned hang_pc;

static void on_signal(int sig) { (void)sig; stop_requested = 1; }
static double sim_s(void) { return (double)avr->cycle / avr->frequency; }
static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void push(bytes_t *b, const uint8_t *p, size_t n)
{
	if (b->head && b->head == b->len)
		b->head = b->len = 0;
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 1024;
		b->data = realloc(b->data, b->cap);
		if (!b->data) { perror("realloc"); exit(2); }
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void adc_trigger_hook(avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq; (void)param;
	union { avr_adc_mux_t mux; uint32_t v; } e = { .v = value };
	if (e.mux.kind != ADC_MUX_SINGLE || e.mux.src > 1)
		return;
	int ch = e.mux.src;
	if (ch == 0 && conversions[0] == 0)
		printf("ADC t=%.6f cycle=%llu\n", sim_s(), (unsigned long long)avr->cycle);
	avr_raise_irq(adc_irqs + ADC_IRQ_ADC0 + ch, adc_mv[conversions[ch] % adc_n][ch]);
	conversions[ch]++;
}

static avr_cycle_count_t motor_off_check(avr_t *a, avr_cycle_count_t when, void *param)
{
	(void)a; (void)when; (void)param;
	if (motor_on && !pin_state) {
		motor_on = 0;
		printf("MOTOR 0 t=%.6f cycle=%llu\n", (double)last_fall / avr->frequency,
		       (unsigned long long)last_fall);
	}
	return 0;
}

static void motor_pin_hook(avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq; (void)param;
	int v = value ? 1 : 0;
	if (v == pin_state)
		return;
	pin_state = v;
	pin_changes++;
	if (v) {
		avr_cycle_timer_cancel(avr, motor_off_check, NULL);
		if (!motor_on) {
			motor_on = 1;
			motor_ons++;
			printf("MOTOR 1 t=%.6f cycle=%llu\n", sim_s(), (unsigned long long)avr->cycle);
		}
	} else {
		last_fall = avr->cycle;
		avr_cycle_timer_register_usec(avr, MOTOR_OFF_AFTER_US, motor_off_check, NULL);
	}
}

/* After a reset every pin is an input: the motor driver's pull-down holds the motor off. */
static void on_reset(void)
{
	resets++;
	printf("RESET t=%.6f\n", sim_s());
	if (motor_on) {
		avr_cycle_timer_cancel(avr, motor_off_check, NULL);
		motor_on = 0;
		printf("MOTOR 0 t=%.6f cycle=%llu\n", sim_s(), (unsigned long long)avr->cycle);
	}
	pin_state = 0;
}

static void uart_tx_hook(avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq; (void)param;
	uint8_t b = (uint8_t)value;
	tx_bytes++;
	if (tx_file)
		fputc(b, tx_file);
	if (master_fd >= 0)
		push(&tx_pending, &b, 1);
}

static void xon_hook(avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; uart_xoff = 0; }
static void xoff_hook(avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; uart_xoff = 1; }

/* hand pending host bytes to the UART until its input FIFO is full */
static void feed_uart(void)
{
	size_t fed = 0;
	while (rx_pending.head < rx_pending.len && !uart_xoff) {
		avr_raise_irq(uart_in, rx_pending.data[rx_pending.head++]);
		fed++;
	}
	if (fed) {
		rx_bytes += fed;
		printf("HOST t=%.6f n=%zu\n", sim_s(), fed);
	}
}

static void service_pty(void)
{
	uint8_t buf[4096];
	ssize_t n;
	while ((n = read(master_fd, buf, sizeof buf)) > 0)
		push(&rx_pending, buf, (size_t)n);
	while (tx_pending.head < tx_pending.len) {
		n = write(master_fd, tx_pending.data + tx_pending.head, tx_pending.len - tx_pending.head);
		if (n <= 0)
			break; /* EAGAIN: the host is not reading; keep the bytes, never drop them */
		tx_pending.head += (size_t)n;
	}
}

static void load_adc(const char *path)
{
	size_t cap = 1024;
	adc_mv = malloc(cap * sizeof(*adc_mv));
	if (!path) {
		for (adc_n = 0; adc_n < 256; adc_n++)
			adc_mv[adc_n][0] = adc_mv[adc_n][1] = (uint32_t)(adc_n * 5000 / 256);
		return;
	}
	FILE *f = fopen(path, "r");
	if (!f) { perror(path); exit(2); }
	char line[128];
	while (fgets(line, sizeof line, f)) {
		unsigned long a, b;
		int k = sscanf(line, "%lu %lu", &a, &b);
		if (k < 1)
			continue;
		if (adc_n == cap)
			adc_mv = realloc(adc_mv, (cap *= 2) * sizeof(*adc_mv));
		adc_mv[adc_n][0] = (uint32_t)a;
		adc_mv[adc_n][1] = (uint32_t)(k == 2 ? b : a);
		adc_n++;
	}
	fclose(f);
	if (!adc_n) { fprintf(stderr, "%s: no values\n", path); exit(2); }
}

static void load_script(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) { perror(path); exit(2); }
	char line[2048], hex[2000];
	double ms;
	size_t cap = 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%lf %1999s", &ms, hex) != 2)
			continue;
		if (script_n == cap)
			script = realloc(script, (cap = cap * 2 + 16) * sizeof(*script));
		script_t *s = &script[script_n++];
		s->at_cycle = (uint64_t)(ms * 16000.0);
		s->n = strlen(hex) / 2;
		s->bytes = malloc(s->n + 1);
		for (size_t i = 0; i < s->n; i++) {
			unsigned v;
			sscanf(hex + 2 * i, "%2x", &v);
			s->bytes[i] = (uint8_t)v;
		}
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *adc_path = NULL, *tx_path = NULL, *script_path = NULL;
	double sim_limit = 120, wall_limit = 300, pace = 1.0;
	double change_at[16], change_to[16];
	int n_changes = 0, next_change = 0;
	int use_pty = 1, wait_host = 0, opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "a:t:T:p:P:no:i:b:WH:")) != -1) {
		switch (opt) {
		case 'a': adc_path = optarg; break;
		case 't': sim_limit = atof(optarg); break;
		case 'T': wall_limit = atof(optarg); break;
		case 'p': pace = atof(optarg); break;
		case 'P':
			for (char *item = strtok(optarg, ","); item && n_changes < 16; item = strtok(NULL, ","))
				if (sscanf(item, "%lf:%lf", &change_at[n_changes], &change_to[n_changes]) == 2)
					n_changes++;
			break;
		case 'n': use_pty = 0; break;
		case 'o': tx_path = optarg; break;
		case 'i': script_path = optarg; break;
		case 'b': parse_button(optarg); break;
		case 'W': wait_host = 1; break;
		case 'H':
			if (sscanf(optarg, "%lf:%x", &hang_ms, &hang_pc) != 2) {
				fprintf(stderr, "bad -H %s (MS:HEXADDR)\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: %s FIRMWARE.elf [-a mv.txt] [-t sim_s] [-T wall_s] "
				"[-p pace] [-P s:pace,...] [-n] [-o tx.bin] [-i script.txt] [-b ms:level,...] [-W]\n", argv[0]);
			return 2;
		}
	}
	if (optind >= argc || sim_limit <= 0) { fprintf(stderr, "missing FIRMWARE.elf\n"); return 2; }
	load_adc(adc_path);
	if (script_path)
		load_script(script_path);

	elf_firmware_t fw;
	memset(&fw, 0, sizeof(fw));
	if (elf_read_firmware(argv[optind], &fw) != 0) {
		fprintf(stderr, "cannot read %s\n", argv[optind]);
		return 2;
	}
	strcpy(fw.mmcu, "atmega328p"); /* Arduino ELFs carry no .mmcu section */
	fw.frequency = 16000000;
	fw.vcc = fw.avcc = fw.aref = 5000;
	avr = avr_make_mcu_by_name(fw.mmcu);
	if (!avr) { fprintf(stderr, "unknown mcu\n"); return 2; }
	avr_init(avr);
	avr_load_firmware(avr, &fw);
	avr->log = LOG_WARNING;

	adc_irqs = avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, 0);
	avr_irq_register_notify(adc_irqs + ADC_IRQ_OUT_TRIGGER, adc_trigger_hook, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), IOPORT_IRQ_PIN5),
				motor_pin_hook, NULL);

	button_irq = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), IOPORT_IRQ_PIN2);
	avr_raise_irq(button_irq, 1); /* released: the pull-up holds the pin high */

	uint32_t flags = 0; /* no console echo, no usleep when the firmware polls an empty RX */
	avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
	uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT),
				uart_tx_hook, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON),
				xon_hook, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF),
				xoff_hook, NULL);
	if (tx_path && !(tx_file = fopen(tx_path, "wb"))) { perror(tx_path); return 2; }

	if (use_pty) {
		char name[128];
		if (openpty(&master_fd, &slave_fd, name, NULL, NULL) != 0) { perror("openpty"); return 2; }
		struct termios tio;
		tcgetattr(slave_fd, &tio); /* raw: no echo of the firmware's bytes back into it */
		cfmakeraw(&tio);
		tcsetattr(slave_fd, TCSANOW, &tio);
		fcntl(master_fd, F_SETFL, fcntl(master_fd, F_GETFL) | O_NONBLOCK);
		printf("PTY %s\n", name);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	if (wait_host && master_fd >= 0) {
		struct pollfd pfd = {master_fd, POLLIN, 0};
		int ready = poll(&pfd, 1, (int)(wall_limit * 1000));
		if (ready <= 0 || stop_requested) {
			fprintf(stderr, "no host byte within %.0f s\n", wall_limit);
			return 2;
		}
		service_pty();
	}
	printf("START\n");
	const avr_cycle_count_t tick = avr->frequency / 4000; /* service every 0.25 ms simulated */
	avr_cycle_count_t next_tick = tick, end_cycle = (avr_cycle_count_t)(sim_limit * avr->frequency);
	double t0 = wall_s(), sim_anchor = 0, wall_anchor = 0;
	int state = cpu_Running;
	while (!stop_requested) {
		state = avr_run(avr);
		if (state == cpu_Done || state == cpu_Crashed)
			break;
		if (avr->pc == 0 && avr->cycle > 0) /* reset vector: only a reset goes there */
			on_reset();
		if (avr->cycle < next_tick)
			continue;
		next_tick += tick;
		if (avr->cycle >= end_cycle)
			break;
		if (avr->cycle % avr->frequency < tick)
			printf("SIM t=%.0f\n", sim_s());
		if (hang_ms >= 0 && (double)avr->cycle >= hang_ms * 16000.0) {
			hang_ms = -1;
			avr->sreg[S_I] = 0;
			avr->pc = hang_pc;
			printf("HANG t=%.6f pc=%x\n", sim_s(), hang_pc);
		}
		while (button_next < button_n && button[button_next].at_cycle <= avr->cycle) {
			avr_raise_irq(button_irq, (uint32_t)button[button_next].level);
			printf("BUTTON %d t=%.6f\n", button[button_next++].level, sim_s());
		}
		while (script_next < script_n && script[script_next].at_cycle <= avr->cycle) {
			push(&rx_pending, script[script_next].bytes, script[script_next].n);
			script_next++;
		}
		if (master_fd >= 0)
			service_pty();
		feed_uart();
		double wall = wall_s() - t0;
		if (wall > wall_limit) {
			fprintf(stderr, "wall-clock limit of %.0f s reached\n", wall_limit);
			break;
		}
		if (next_change < n_changes && sim_s() >= change_at[next_change]) {
			/* new pace from here: re-anchor so the change neither sleeps nor rushes */
			sim_anchor = sim_s();
			wall_anchor = wall;
			pace = change_to[next_change++];
		}
		if (pace > 0) {
			double ahead = wall_anchor + (sim_s() - sim_anchor) / pace - wall;
			if (ahead > 0.0005) {
				struct timespec ts = {0, (long)(ahead * 1e9)};
				nanosleep(&ts, NULL);
			}
		}
	}
	if (master_fd >= 0) /* last chance for the host to get what was sent */
		for (int i = 0; i < 100 && tx_pending.head < tx_pending.len; i++) {
			service_pty();
			usleep(10000);
		}
	double wall = wall_s() - t0;
	printf("STATS state=%d sim_s=%.6f wall_s=%.3f sim_per_wall=%.3f adc0=%zu adc1=%zu "
	       "tx_bytes=%llu host_bytes=%llu tx_unsent=%zu motor_pin_changes=%llu motor_ons=%llu "
	       "resets=%llu\n",
	       state, sim_s(), wall, sim_s() / wall, conversions[0], conversions[1],
	       (unsigned long long)tx_bytes, (unsigned long long)rx_bytes,
	       tx_pending.len - tx_pending.head, (unsigned long long)pin_changes,
	       (unsigned long long)motor_ons, (unsigned long long)resets);
	if (tx_file)
		fclose(tx_file);
	return state == cpu_Crashed ? 1 : 0;
}
