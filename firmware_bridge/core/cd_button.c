/* cd_button.c - see cd_button.h. */
#include "cd_button.h"

void cd_button_init(cd_button_t *b, uint32_t now_ms)
{
	b->state = b->raw = 0;
	b->since_ms = now_ms;
}

uint8_t cd_button_update(cd_button_t *b, uint8_t pressed, uint32_t now_ms)
{
	pressed = pressed ? 1 : 0;
	if (pressed != b->raw) {
		b->raw = pressed;
		b->since_ms = now_ms;
		return 0;
	}
	if (pressed == b->state || (uint32_t)(now_ms - b->since_ms) < CD_BUTTON_DEBOUNCE_MS)
		return 0;
	b->state = pressed;
	return pressed;
}
