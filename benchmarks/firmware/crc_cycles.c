/*
 * crc_cycles.c - ATmega328P cycle counts of the frame checks, run in simavr by
 * benchmarks/bench_firmware.py. Each variant runs REPS times between a rising and a falling edge
 * of PD5 (the harness logs both edges with their cycle numbers); 10 ms of idle separate them.
 * Input: the raw bytes of one Uno sample frame (header + t_us/mask/n + 2 x 10 samples = 50 bytes).
 */
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <util/crc16.h>
#include <util/delay.h>

#include "cd_proto.h"

#define REPS 100
#define FRAME_BYTES 50

static uint8_t frame[FRAME_BYTES];
static uint8_t wire[CD_MAX_WIRE];
static uint16_t values[20];
volatile uint32_t sink;

/* CRC-32 (IEEE 802.3, reflected poly 0xEDB88320), bit by bit: no table */
static uint32_t crc32_bitwise(const uint8_t *p, uint8_t n)
{
	uint32_t crc = 0xFFFFFFFFu;
	while (n--) {
		crc ^= *p++;
		for (uint8_t k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (uint32_t)-(int32_t)(crc & 1u));
	}
	return ~crc;
}

/* CRC-32, 4 bits at a time from a 16-entry table (64 bytes of flash) */
static const uint32_t nibble[16] PROGMEM = {
	0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
	0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
	0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};
static uint32_t crc32_nibble(const uint8_t *p, uint8_t n)
{
	uint32_t crc = 0xFFFFFFFFu;
	while (n--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ pgm_read_dword(&nibble[crc & 15u]);
		crc = (crc >> 4) ^ pgm_read_dword(&nibble[crc & 15u]);
	}
	return ~crc;
}

/* CRC-16/CCITT-FALSE with avr-libc's inline-assembly update (same polynomial, init 0xFFFF) */
static uint16_t crc16_avrlibc(const uint8_t *p, uint8_t n)
{
	uint16_t crc = 0xFFFFu;
	while (n--)
		crc = _crc_xmodem_update(crc, *p++);
	return crc;
}

static void mark(uint8_t on)
{
	if (on)
		PORTD |= _BV(PD5);
	else
		PORTD &= (uint8_t)~_BV(PD5);
}

int main(void)
{
	DDRD |= _BV(PD5);
	for (uint8_t i = 0; i < FRAME_BYTES; i++)
		frame[i] = (uint8_t)(i * 37 + 11);
	for (uint8_t i = 0; i < 20; i++)
		values[i] = (uint16_t)(300 + i * 17);
	_delay_ms(10);
	/* 1: empty loop (overhead) */
	mark(1);
	for (uint8_t r = 0; r < REPS; r++)
		sink += frame[r % FRAME_BYTES];
	mark(0);
	_delay_ms(10);
	/* 2: CRC-16/CCITT-FALSE as in cd_proto.c */
	mark(1);
	for (uint8_t r = 0; r < REPS; r++)
		sink += cd_crc16(frame, FRAME_BYTES);
	mark(0);
	_delay_ms(10);
	/* 3: CRC-32 bitwise */
	mark(1);
	for (uint8_t r = 0; r < REPS; r++)
		sink += crc32_bitwise(frame, FRAME_BYTES);
	mark(0);
	_delay_ms(10);
	/* 4: CRC-32 nibble table */
	mark(1);
	for (uint8_t r = 0; r < REPS; r++)
		sink += crc32_nibble(frame, FRAME_BYTES);
	mark(0);
	_delay_ms(10);
	/* 5: a whole sample frame as the Uno sends it: header, CRC-16, COBS */
	mark(1);
	for (uint8_t r = 0; r < REPS; r++)
		sink += cd_encode_samples(wire, sizeof wire, r, 1000u * r, 3, 10, values);
	mark(0);
	_delay_ms(10);
	/* 6: CRC-16 with avr-libc's _crc_xmodem_update */
	mark(1);
	for (uint8_t r = 0; r < REPS; r++)
		sink += crc16_avrlibc(frame, FRAME_BYTES);
	mark(0);
	_delay_ms(10);
	/* self-check: one more edge pair only if the variants compute the right checks */
	static const uint8_t check[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
	if (cd_crc16(check, 9) == 0x29B1u && crc16_avrlibc(check, 9) == 0x29B1u &&
	    cd_crc16(frame, FRAME_BYTES) == crc16_avrlibc(frame, FRAME_BYTES) &&
	    crc32_bitwise(check, 9) == 0xCBF43926u && crc32_nibble(check, 9) == 0xCBF43926u &&
	    crc32_bitwise(frame, FRAME_BYTES) == crc32_nibble(frame, FRAME_BYTES)) {
		mark(1);
		_delay_ms(1);
		mark(0);
	}
	for (;;)
		;
}
