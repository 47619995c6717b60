/* cd_motor.c - see cd_motor.h. */
#include "cd_motor.h"

#include <string.h>

void cd_motor_init(cd_motor_t *m) { memset(m, 0, sizeof(*m)); }

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
	if (!(m->active && m->on)) /* a new pattern does not restart a run already going */
		m->run_start_ms = now_ms;
	m->active = cmd->n_pulses > 0 && cmd->repeat > 0;
	m->on = 1;
	m->phase_start_ms = now_ms;
}

void cd_motor_stop(cd_motor_t *m)
{
	m->active = 0;
	m->on = 0;
}

uint8_t cd_motor_update(cd_motor_t *m, uint32_t now_ms)
{
	if (!m->active)
		return 0;
	if (!m->host_seen || (uint32_t)(now_ms - m->last_host_ms) >= CD_HEARTBEAT_TIMEOUT_MS) {
		cd_motor_stop(m);
		return 0;
	}
	/* walk through every phase that ended by now_ms (bounded: at most 2 per pulse and play) */
	for (uint16_t guard = 0; guard < 2u * CD_MAX_PULSES * 256u; guard++) {
		uint32_t length;
		if (m->on) {
			length = m->pattern.on_ms[m->index];
			if (length > CD_MAX_PULSE_MS)
				length = CD_MAX_PULSE_MS;
		} else {
			length = m->pattern.off_ms[m->index];
		}
		if ((uint32_t)(now_ms - m->phase_start_ms) < length)
			break;
		m->phase_start_ms += length;
		if (m->on) {
			m->on = 0;
			continue;
		}
		m->on = 1;
		if (length > 0)
			m->run_start_ms = m->phase_start_ms; /* after a real pause: a new run */
		if (++m->index >= m->pattern.n_pulses) {
			m->index = 0;
			if (--m->plays_left == 0) {
				cd_motor_stop(m);
				return 0;
			}
		}
	}
	if (m->on && (uint32_t)(now_ms - m->run_start_ms) >= CD_MAX_PULSE_MS) {
		cd_motor_stop(m); /* back-to-back pulses would keep it on too long */
		return 0;
	}
	return m->on ? m->pattern.intensity : 0;
}
