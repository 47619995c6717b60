/*
 * cd_sampler.h - sampling bookkeeping between the ADC interrupt and the main loop:
 * a single-producer single-consumer ring of sample sets (one value per channel), the absolute
 * index of every set (so frame timestamps are exact and gaps are visible), the lost-sample
 * counter, and the sample-frame sequence number.
 *
 * cd_ring_push runs in the ADC interrupt; everything else in the main loop. On an 8-bit MCU read
 * `lost` and `next_index` with interrupts disabled (cd_ring_counters does not do that for you).
 */
#ifndef CD_SAMPLER_H
#define CD_SAMPLER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CD_RING_SETS
#if defined(ESP_PLATFORM)
#define CD_RING_SETS 128u /* ESP32: ride out BLE stalls of ~100 ms */
#else
#define CD_RING_SETS 64u /* power of two, <= 128 (8-bit indices) */
#endif
#endif
#define CD_MAX_CHANNELS 2u

typedef struct {
	volatile uint16_t values[CD_RING_SETS][CD_MAX_CHANNELS];
	volatile uint16_t index_lo[CD_RING_SETS]; /* low 16 bits of each set's absolute index */
	volatile uint8_t head;                    /* written by the producer only */
	volatile uint8_t tail;                    /* written by the consumer only */
	volatile uint32_t next_index;             /* absolute index of the next set taken */
	volatile uint32_t lost;                   /* sets dropped because the ring was full */
	uint32_t tail_index;                      /* absolute index of the set at tail */
	uint16_t frame_seq;                       /* seq of the next sample frame */
	uint8_t n_channels;
} cd_ring_t;

void cd_ring_init(cd_ring_t *r, uint8_t n_channels);
/* Producer: store one set (n_channels values). Returns 0 if the ring was full (set dropped). */
uint8_t cd_ring_push(cd_ring_t *r, const uint16_t *set);
/* Consumer: number of sets waiting. */
uint8_t cd_ring_count(const cd_ring_t *r);
/* Consumer: pop up to max_sets consecutive sets (stopping at a gap left by dropped sets) into
 * out (interleaved). Returns the number popped; *first_index gets the absolute index of the
 * first one. */
uint8_t cd_ring_pop(cd_ring_t *r, uint16_t *out, uint8_t max_sets, uint32_t *first_index);
/* Device time in µs of sample set `index` at `rate_hz` (exact for rates dividing 10^6). */
uint32_t cd_index_to_us(uint32_t index, uint16_t rate_hz);

#ifdef __cplusplus
}
#endif
#endif
