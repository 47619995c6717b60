/*
 * cd_motor.h - vibration motor pattern playback with firmware-side safety limits:
 *   - the motor is never on for longer than CD_MAX_PULSE_MS (3 s) without a pause, whatever the
 *     command says (a long pulse is cut short; pulses joined by 0 ms pauses count as one, and
 *     the pattern is stopped when such a run reaches 3 s);
 *   - the motor stops when no valid host frame arrived for CD_HEARTBEAT_TIMEOUT_MS (3 s).
 * Time is a free-running millisecond counter (wraps at 2^32, differences stay correct).
 */
#ifndef CD_MOTOR_H
#define CD_MOTOR_H

#include <stdint.h>

#include "cd_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CD_HEARTBEAT_TIMEOUT_MS 3000u

typedef struct {
	cd_command_t pattern;
	uint8_t active;    /* a pattern is playing */
	uint8_t on;        /* in the on phase of pulse `index` */
	uint8_t index;     /* current pulse */
	uint8_t plays_left;
	uint32_t phase_start_ms;
	uint32_t run_start_ms; /* when the motor last turned on after a pause */
	uint32_t last_host_ms;
	uint8_t host_seen;
} cd_motor_t;

void cd_motor_init(cd_motor_t *m);
/* A valid frame from the host arrived (any command): keeps the heartbeat alive. */
void cd_motor_heartbeat(cd_motor_t *m, uint32_t now_ms);
/* Start a vibrate pattern (replaces the running one); cmd must have passed cd_parse_command. */
void cd_motor_start(cd_motor_t *m, const cd_command_t *cmd, uint32_t now_ms);
void cd_motor_stop(cd_motor_t *m);
/* Advance to now_ms; return the PWM duty to apply (0 = motor off). Call at least every few ms. */
uint8_t cd_motor_update(cd_motor_t *m, uint32_t now_ms);

#ifdef __cplusplus
}
#endif
#endif
