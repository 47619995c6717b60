/* cd_proto.c - see cd_proto.h. */
#include "cd_proto.h"

#include <string.h>

uint16_t cd_crc16_update(uint16_t crc, uint8_t byte)
{
	crc ^= (uint16_t)byte << 8;
	for (uint8_t i = 0; i < 8; i++)
		crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
	return crc;
}

uint16_t cd_crc16(const uint8_t *data, size_t n)
{
	uint16_t crc = 0xFFFFu;
	while (n--)
		crc = cd_crc16_update(crc, *data++);
	return crc;
}

size_t cd_cobs_encode(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t code_at = 0, w = 1;
	uint8_t code = 1;
	for (size_t r = 0; r < n; r++) {
		uint8_t b = in[r];
		if (b == 0) {
			out[code_at] = code;
			code_at = w++;
			code = 1;
		} else {
			out[w++] = b;
			if (++code == 0xFF && r + 1 < n) {
				out[code_at] = code;
				code_at = w++;
				code = 1;
			}
		}
	}
	out[code_at] = code;
	return w;
}

int cd_cobs_decode(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t r = 0, w = 0;
	while (r < n) {
		uint8_t code = in[r++];
		if (code == 0 || r + code - 1u > n)
			return -1;
		for (uint8_t i = 1; i < code; i++) {
			if (in[r] == 0)
				return -1;
			out[w++] = in[r++];
		}
		if (code != 0xFF && r < n)
			out[w++] = 0;
	}
	return (int)w;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p = put16(p, (uint16_t)v);
	return put16(p, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

/* raw frame is built at out + 1 (header + body written by the caller), then CRC and COBS in
 * place: the encoded frame starts at out[0]. len = header + body length. */
static size_t finish(uint8_t *out, size_t cap, size_t len)
{
	uint8_t *raw = out + 1;
	put16(raw + len, cd_crc16(raw, len));
	len += 2;
	size_t n = cd_cobs_encode(raw, len, out);
	out[n] = 0;
	return n + 1 <= cap ? n + 1 : 0;
}

static uint8_t *header(uint8_t *out, uint8_t type, uint16_t seq)
{
	uint8_t *p = out + 1;
	*p++ = CD_PROTO_VERSION;
	*p++ = type;
	return put16(p, seq);
}

static uint8_t popcount8(uint8_t v)
{
	uint8_t c = 0;
	for (; v; v &= (uint8_t)(v - 1))
		c++;
	return c;
}

size_t cd_encode_samples(uint8_t *out, size_t cap, uint16_t seq, uint32_t t_us,
			 uint8_t channel_mask, uint8_t n_per_channel, const uint16_t *interleaved)
{
	size_t count = (size_t)popcount8(channel_mask) * n_per_channel;
	size_t len = 4u + 6u + 2u * count;
	if (count == 0 || len + 2u > CD_MAX_FRAME || len + 4u > cap)
		return 0;
	uint8_t *p = header(out, CD_TYPE_SAMPLES, seq);
	p = put32(p, t_us);
	*p++ = channel_mask;
	*p++ = n_per_channel;
	for (size_t i = 0; i < count; i++)
		p = put16(p, interleaved[i]);
	return finish(out, cap, len);
}

size_t cd_encode_status(uint8_t *out, size_t cap, uint16_t seq, const cd_status_t *s)
{
	size_t fw_len = s->firmware ? strlen(s->firmware) : 0;
	size_t len = 4u + 15u + fw_len;
	if (fw_len > CD_MAX_FW_CHARS || len + 4u > cap)
		return 0;
	uint8_t *p = header(out, CD_TYPE_STATUS, seq);
	p = put32(p, s->t_us);
	*p++ = s->channel_mask;
	p = put16(p, s->sample_rate_hz);
	*p++ = s->adc_bits;
	*p++ = s->signal;
	*p++ = s->battery_pct;
	p = put32(p, s->lost_samples);
	*p++ = (uint8_t)fw_len;
	memcpy(p, s->firmware, fw_len);
	return finish(out, cap, len);
}

size_t cd_encode_ack(uint8_t *out, size_t cap, uint16_t seq, uint16_t acked_seq, uint8_t status)
{
	if (cap < 4u + 3u + 4u)
		return 0;
	uint8_t *p = header(out, CD_TYPE_ACK, seq);
	p = put16(p, acked_seq);
	*p = status;
	return finish(out, cap, 7u);
}

size_t cd_encode_button(uint8_t *out, size_t cap, uint16_t seq, uint32_t t_us, uint8_t button)
{
	if (cap < 4u + 5u + 4u)
		return 0;
	uint8_t *p = header(out, CD_TYPE_BUTTON, seq);
	p = put32(p, t_us);
	*p = button;
	return finish(out, cap, 9u);
}

size_t cd_encode_command(uint8_t *out, size_t cap, const cd_command_t *c)
{
	size_t len = 5u;
	if (c->code == CD_CMD_VIBRATE)
		len += 3u + 4u * c->n_pulses;
	else if (c->code == CD_CMD_SET_RATE)
		len += 2u;
	if (len + 4u > cap || c->n_pulses > CD_MAX_PULSES)
		return 0;
	uint8_t *p = header(out, CD_TYPE_COMMAND, c->seq);
	*p++ = c->code;
	if (c->code == CD_CMD_VIBRATE) {
		*p++ = c->intensity;
		*p++ = c->repeat;
		*p++ = c->n_pulses;
		for (uint8_t i = 0; i < c->n_pulses; i++) {
			p = put16(p, c->on_ms[i]);
			p = put16(p, c->off_ms[i]);
		}
	} else if (c->code == CD_CMD_SET_RATE) {
		put16(p, c->rate_hz);
	}
	return finish(out, cap, len);
}

uint8_t cd_parse_command(const uint8_t *f, size_t n, cd_command_t *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	if (n < 6u || cd_crc16(f, n - 2u) != get16(f + n - 2u))
		return CD_PARSE_IGNORE;
	if (f[0] != CD_PROTO_VERSION || f[1] != CD_TYPE_COMMAND)
		return CD_PARSE_IGNORE;
	cmd->seq = get16(f + 2);
	const uint8_t *b = f + 4;
	size_t len = n - 6u;
	if (len == 0)
		return CD_ACK_BAD_LENGTH;
	cmd->code = b[0];
	switch (b[0]) {
	case CD_CMD_VIBRATE:
		if (len < 4u)
			return CD_ACK_BAD_LENGTH;
		cmd->intensity = b[1];
		cmd->repeat = b[2];
		cmd->n_pulses = b[3];
		if (cmd->n_pulses == 0 || cmd->n_pulses > CD_MAX_PULSES || cmd->repeat == 0)
			return CD_ACK_BAD_ARGUMENT;
		if (len != 4u + 4u * cmd->n_pulses)
			return CD_ACK_BAD_LENGTH;
		for (uint8_t i = 0; i < cmd->n_pulses; i++) {
			cmd->on_ms[i] = get16(b + 4 + 4 * i);
			cmd->off_ms[i] = get16(b + 6 + 4 * i);
			if (cmd->on_ms[i] == 0 || cmd->on_ms[i] > CD_MAX_PULSE_MS)
				return CD_ACK_BAD_ARGUMENT;
		}
		return CD_ACK_OK;
	case CD_CMD_SET_RATE:
		if (len != 3u)
			return CD_ACK_BAD_LENGTH;
		cmd->rate_hz = get16(b + 1);
		return cmd->rate_hz ? CD_ACK_OK : CD_ACK_BAD_ARGUMENT;
	case CD_CMD_STOP:
	case CD_CMD_PING:
		return len == 1u ? CD_ACK_OK : CD_ACK_BAD_LENGTH;
	default:
		return CD_ACK_UNKNOWN_COMMAND;
	}
}

void cd_rx_init(cd_rx_t *rx) { memset(rx, 0, sizeof(*rx)); }

size_t cd_rx_byte(cd_rx_t *rx, uint8_t byte)
{
	if (byte != 0) {
		if (rx->len < CD_RX_CAP)
			rx->buf[rx->len++] = byte;
		else
			rx->overflow = 1;
		return 0;
	}
	size_t len = rx->len;
	uint8_t overflow = rx->overflow;
	rx->len = 0;
	rx->overflow = 0;
	if (len == 0)
		return 0;
	int n = overflow ? -1 : cd_cobs_decode(rx->buf, len, rx->buf);
	if (n <= 0) {
		rx->dropped++;
		return 0;
	}
	return (size_t)n;
}
