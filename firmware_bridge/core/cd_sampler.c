/* cd_sampler.c - see cd_sampler.h. */
#include "cd_sampler.h"

#include <string.h>

#define MASK (CD_RING_SETS - 1u)

void cd_ring_init(cd_ring_t *r, uint8_t n_channels)
{
	memset((void *)r, 0, sizeof(*r));
	r->n_channels = n_channels > CD_MAX_CHANNELS ? CD_MAX_CHANNELS : n_channels;
}

uint8_t cd_ring_push(cd_ring_t *r, const uint16_t *set)
{
	uint8_t head = r->head;
	uint32_t index = r->next_index;
	r->next_index = index + 1u;
	if ((uint8_t)(head - r->tail) >= CD_RING_SETS) {
		r->lost++;
		return 0;
	}
	uint8_t slot = head & MASK;
	for (uint8_t c = 0; c < r->n_channels; c++)
		r->values[slot][c] = set[c];
	r->index_lo[slot] = (uint16_t)index;
	r->head = (uint8_t)(head + 1u); /* publish last */
	return 1;
}

uint8_t cd_ring_count(const cd_ring_t *r) { return (uint8_t)(r->head - r->tail); }

uint8_t cd_ring_pop(cd_ring_t *r, uint16_t *out, uint8_t max_sets, uint32_t *first_index)
{
	uint8_t available = cd_ring_count(r), n = 0;
	uint8_t tail = r->tail;
	if (available == 0 || max_sets == 0)
		return 0;
	while (n < available && n < max_sets) {
		uint8_t slot = (uint8_t)(tail + n) & MASK;
		/* absolute index from its low 16 bits: the ring never spans 2^16 sets */
		uint32_t index = r->tail_index + (uint16_t)(r->index_lo[slot] - (uint16_t)r->tail_index);
		if (n == 0) {
			*first_index = index;
			r->tail_index = index;
		} else if (index != *first_index + n) {
			break; /* sets were dropped here: end the frame at the gap */
		}
		for (uint8_t c = 0; c < r->n_channels; c++)
			*out++ = r->values[slot][c];
		n++;
	}
	r->tail_index = *first_index + n;
	r->tail = (uint8_t)(tail + n);
	return n;
}

uint32_t cd_index_to_us(uint32_t index, uint16_t rate_hz)
{
	uint32_t per = 1000000ul / rate_hz, whole = index / rate_hz, part = index % rate_hz;
	return whole * 1000000ul + part * per;
}
