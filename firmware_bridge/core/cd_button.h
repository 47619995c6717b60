/*
 * cd_button.h - debounced push button (the wearer's "acknowledge" button): a press counts once the
 * contact has read pressed for CD_BUTTON_DEBOUNCE_MS without a break, and the next press only
 * after it has read released for as long. Bounces (contact chatter, typically < 10 ms) and spikes
 * shorter than that are ignored. Poll it from the main loop (every few ms).
 */
#ifndef CD_BUTTON_H
#define CD_BUTTON_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CD_BUTTON_DEBOUNCE_MS 30u

typedef struct {
	uint8_t state;     /* debounced: 1 pressed */
	uint8_t raw;       /* last raw reading */
	uint32_t since_ms; /* when raw last changed */
} cd_button_t;

void cd_button_init(cd_button_t *b, uint32_t now_ms);
/* Feed the raw reading (1 = pressed); returns 1 exactly once per debounced press. */
uint8_t cd_button_update(cd_button_t *b, uint8_t pressed, uint32_t now_ms);

#ifdef __cplusplus
}
#endif
#endif
