/*
 * cd_proto.h - crampdetect wire protocol v1 (see ../protocol/PROTOCOL.md): CRC-16/CCITT-FALSE,
 * COBS, frame encoders (device -> host) and the command parser (host -> device).
 * Portable C99, no Arduino headers, no dynamic memory. Shared by the Uno and ESP32 sketches.
 */
#ifndef CD_PROTO_H
#define CD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CD_PROTO_VERSION 1
#define CD_MAX_FRAME 240u              /* header + body + CRC, before COBS */
#define CD_MAX_WIRE (CD_MAX_FRAME + 2u) /* COBS overhead byte + 0x00 delimiter */
#define CD_MAX_PULSES 8u
#define CD_MAX_PULSE_MS 3000u
#define CD_MAX_FW_CHARS 16u

enum cd_type {
	CD_TYPE_SAMPLES = 1,
	CD_TYPE_STATUS = 2,
	CD_TYPE_COMMAND = 3,
	CD_TYPE_ACK = 4,
	CD_TYPE_BUTTON = 5
};
enum cd_button_kind { CD_BUTTON_ACKNOWLEDGE = 0 };
enum cd_command_code { CD_CMD_VIBRATE = 1, CD_CMD_STOP = 2, CD_CMD_SET_RATE = 3, CD_CMD_PING = 4 };
enum cd_ack_status {
	CD_ACK_OK = 0,
	CD_ACK_UNKNOWN_COMMAND = 1,
	CD_ACK_BAD_LENGTH = 2,
	CD_ACK_BAD_ARGUMENT = 3,
	CD_ACK_UNSUPPORTED = 4,
	CD_PARSE_IGNORE = 255 /* not a valid command frame: send nothing back */
};

typedef struct {
	uint16_t seq;
	uint8_t code;      /* enum cd_command_code */
	uint8_t intensity; /* vibrate: PWM duty 0-255 */
	uint8_t repeat;    /* vibrate: times to play the pattern, >= 1 */
	uint8_t n_pulses;  /* vibrate: 1..CD_MAX_PULSES */
	uint16_t on_ms[CD_MAX_PULSES];
	uint16_t off_ms[CD_MAX_PULSES];
	uint16_t rate_hz; /* set_rate */
} cd_command_t;

typedef struct {
	uint32_t t_us;
	uint8_t channel_mask;
	uint16_t sample_rate_hz;
	uint8_t adc_bits;
	uint8_t signal; /* 0 raw, 1 env */
	uint8_t battery_pct; /* 255 = no battery */
	uint32_t lost_samples;
	const char *firmware; /* ASCII, at most CD_MAX_FW_CHARS */
} cd_status_t;

uint16_t cd_crc16_update(uint16_t crc, uint8_t byte);
uint16_t cd_crc16(const uint8_t *data, size_t n);

/* COBS-encode n bytes (n < 254 or any n: blocks of 254 handled) into out (n + n/254 + 1 bytes),
 * without the delimiter. in and out may overlap when out == in - 1 (in-place with 1 spare byte).
 * Returns the encoded length. */
size_t cd_cobs_encode(const uint8_t *in, size_t n, uint8_t *out);
/* COBS-decode n bytes (no delimiter) into out; out may equal in. Returns the decoded length, or
 * -1 when the input is not valid COBS (a zero byte, or a code pointing past the end). */
int cd_cobs_decode(const uint8_t *in, size_t n, uint8_t *out);

/* Frame encoders: write the complete wire frame (COBS + 0x00) into out, which holds cap bytes.
 * Return the number of bytes to send, or 0 if the arguments are invalid or cap is too small. */
size_t cd_encode_samples(uint8_t *out, size_t cap, uint16_t seq, uint32_t t_us,
			 uint8_t channel_mask, uint8_t n_per_channel, const uint16_t *interleaved);
size_t cd_encode_status(uint8_t *out, size_t cap, uint16_t seq, const cd_status_t *status);
size_t cd_encode_ack(uint8_t *out, size_t cap, uint16_t seq, uint16_t acked_seq, uint8_t status);
size_t cd_encode_command(uint8_t *out, size_t cap, const cd_command_t *cmd);
/* The wearer pressed a button (enum cd_button_kind) at device time t_us. */
size_t cd_encode_button(uint8_t *out, size_t cap, uint16_t seq, uint32_t t_us, uint8_t button);

/* Parse a COBS-decoded frame (header + body + CRC). Returns CD_PARSE_IGNORE for a bad CRC, a
 * foreign version or a frame that is not a command; otherwise the acknowledgement status
 * (CD_ACK_OK when cmd is filled in), with cmd->seq always set. */
uint8_t cd_parse_command(const uint8_t *frame, size_t n, cd_command_t *cmd);

/* Byte-wise receiver: collects bytes up to the 0x00 delimiter and COBS-decodes in place. */
#ifndef CD_RX_CAP
#define CD_RX_CAP 64u /* commands are <= 42 bytes; longer runs are dropped as oversized */
#endif
typedef struct {
	uint8_t buf[CD_RX_CAP];
	uint16_t len;
	uint8_t overflow;
	uint16_t dropped; /* frames dropped as oversized or not valid COBS */
} cd_rx_t;

void cd_rx_init(cd_rx_t *rx);
/* Feed one byte. When it completes a frame, return its decoded length (frame in rx->buf),
 * else 0. */
size_t cd_rx_byte(cd_rx_t *rx, uint8_t byte);

#ifdef __cplusplus
}
#endif
#endif
