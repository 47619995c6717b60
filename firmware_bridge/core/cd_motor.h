/*
 * cd_motor.h - vibration motor pattern playback behind a safety governor that holds whatever the
 * host sends (a flood of commands, 1 ms pauses, a stuck host):
 *   - run cap: the motor is never on for longer than CD_MOTOR_MAX_RUN_MS (3000 ms) at a stretch;
 *     a run cut by the cap ends the pattern;
 *   - rest: after every run the motor stays off for at least max(CD_MOTOR_MIN_REST_MS (100 ms),
 *     run / CD_MOTOR_REST_DIVISOR (3)): a pattern pause shorter than that is lengthened (the
 *     pattern's clock keeps going, so the next pulse is shortened), so no pause under 100 ms
 *     ever happens and a 3 s run is followed by at least 1 s off;
 *   - duty cap: at most CD_MOTOR_DUTY_MAX_ON_MS (30 s) of on-time in any 60 s (<= 50 %), counted
 *     in CD_MOTOR_DUTY_BUCKETS buckets of CD_MOTOR_DUTY_BUCKET_MS (13 x 5 s: the 12 that span 60 s
 *     plus the current one, so every 60 s window lies inside them); reaching it ends the pattern;
 *   - lockout: reaching the duty cap starts a cool-down of CD_MOTOR_LOCKOUT_MS (5 min) in which no
 *     run starts. No crampdetect prompt sequence comes near the duty cap (at most ~15 s of on-time
 *     in a minute), so only a misbehaving host (a flood, a stuck loop) reaches it: it then gets
 *     30 s of buzzing in about 5.7 min (~9 %), not 30 s in every minute all night;
 *   - heartbeat: the motor stops when no valid host frame arrived for CD_HEARTBEAT_TIMEOUT_MS (3 s).
 * Time is a free-running millisecond counter (wraps at 2^32, differences stay correct). The motor
 * output only changes inside cd_motor_update, so the on-time it accounts is exact whatever the
 * call rate (call it every few ms for sharp edges).
 */
#ifndef CD_MOTOR_H
#define CD_MOTOR_H

#include <stdint.h>

#include "cd_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CD_HEARTBEAT_TIMEOUT_MS 3000u
#define CD_MOTOR_MAX_RUN_MS CD_MAX_PULSE_MS /* 3000 */
#define CD_MOTOR_MIN_REST_MS 100u
#define CD_MOTOR_REST_DIVISOR 3u /* rest >= run / 3: leaves every crampdetect pattern untouched */
#define CD_MOTOR_DUTY_BUCKET_MS 5000u
#define CD_MOTOR_DUTY_BUCKETS 13u          /* 12 x 5 s = 60 s, plus the current bucket */
#define CD_MOTOR_DUTY_MAX_ON_MS 30000u     /* 50 % of 60 s */
#define CD_MOTOR_LOCKOUT_MS 300000u        /* after the duty cap: 5 min without a run */

typedef struct {
	cd_command_t pattern;
	uint8_t active;    /* a pattern is playing */
	uint8_t on;        /* the pattern is in the on phase of pulse `index` */
	uint8_t index;     /* current pulse */
	uint8_t plays_left;
	uint32_t phase_start_ms;
	uint32_t last_host_ms;
	uint8_t host_seen;
	/* governor: what the motor pin really does */
	uint8_t out;          /* motor on */
	uint32_t run_start_ms; /* when the motor last turned on */
	uint32_t off_ms;       /* when it last turned off */
	uint16_t rest_ms;      /* it stays off until off_ms + rest_ms */
	uint32_t last_ms;      /* time of the previous update (on-time accounting) */
	uint32_t bucket_start_ms;
	uint8_t bucket;        /* index of the current bucket */
	uint16_t on_ms[CD_MOTOR_DUTY_BUCKETS]; /* on-time per bucket */
	uint32_t cut_runs, cut_duty;           /* times the run cap / duty cap switched it off */
	uint8_t locked;        /* in the cool-down after the duty cap */
	uint32_t locked_ms;    /* when it started */
	uint32_t lockouts;     /* cool-downs so far */
} cd_motor_t;

void cd_motor_init(cd_motor_t *m, uint32_t now_ms);
/* A valid frame from the host arrived (any command): keeps the heartbeat alive. */
void cd_motor_heartbeat(cd_motor_t *m, uint32_t now_ms);
/* Start a vibrate pattern (replaces the running one); cmd must have passed cd_parse_command.
 * The governor's limits carry over: a new pattern never restarts a run or a rest. */
void cd_motor_start(cd_motor_t *m, const cd_command_t *cmd, uint32_t now_ms);
void cd_motor_stop(cd_motor_t *m);
/* Advance to now_ms; return the PWM duty to apply (0 = motor off). Call at least every few ms. */
uint8_t cd_motor_update(cd_motor_t *m, uint32_t now_ms);
/* On-time in ms counted over the duty window (the last 60-65 s). */
uint32_t cd_motor_window_on_ms(const cd_motor_t *m);

#ifdef __cplusplus
}
#endif
#endif
