// crampdetect_uno.ino - Arduino Uno/Nano (ATmega328P, 16 MHz) firmware for crampdetect.
//
// Samples two MyoWare outputs on A0 and A1 at 1 kHz each (Timer1 compare interrupt starts the
// conversions; the ADC interrupt stores them in a ring buffer), streams sample frames of
// 10 samples per channel over USB serial at 500000 baud (wire protocol v1, see
// ../../protocol/PROTOCOL.md), a status frame every second, and drives the vibration motor
// on D5 (through a transistor) from vibrate commands. A push button from D2 to GND (internal
// pull-up) is the wearer's "acknowledge": a debounced press stops the motor at once and sends a
// button frame. The portable core (../../core) does the framing, command parsing, the debouncing
// and the motor safety limits (PROTOCOL.md "Motor safety": runs <= 3 s, a rest after every run,
// <= 30 s on in any 60 s, stop on heartbeat loss).
//
// Valid C++: builds with firmware_bridge/uno/build.sh (avr-g++ and Debian's Arduino core) or in
// the Arduino IDE after copying ../../core/cd_*.{c,h} next to this file.

#include <Arduino.h>
#include <avr/wdt.h>

#include "cd_button.h"
#include "cd_motor.h"
#include "cd_proto.h"
#include "cd_sampler.h"

#define FIRMWARE_NAME "cd-uno 0.1.0"
#define MOTOR_PIN 5          // PD5 / OC0B: PWM for the intensity
#define BUTTON_PIN 2         // PD2: acknowledge button to GND, internal pull-up (pressed = LOW)
// One channel = one sensor: A0 the left calf's MyoWare, A1 the right calf's, both the same
// output (RAW, or both ENV). Never one sensor's RAW and ENV on A0 and A1: the host reads every
// channel as the signal SIGNAL_CODE names and A1 as the other leg.
#define CHANNEL_MASK 0x03    // A0, A1
#define SIGNAL_CODE 0        // 0 = MyoWare RAW wired on both, 1 = ENV on both (status "signal")
#define N_CHANNELS 2
#define PER_FRAME 10         // samples per channel per frame -> 100 frames/s at 1 kHz
#define BAUD 500000UL        // 16 MHz / (8 * 4): exact with U2X
#define STATUS_EVERY_MS 1000UL
#define TIMER1_HZ 250000UL   // 16 MHz / 64
#define WATCHDOG WDTO_250MS  // loop() must come round this often or the MCU resets, motor off

static cd_ring_t ring;
static cd_rx_t rx;
static cd_motor_t motor;
static cd_button_t button;
static uint8_t tx[64];
static uint16_t rate_hz = 1000;
static uint32_t base_index, base_us;  // device time of sample set base_index (since a rate change)
static uint16_t status_seq, ack_seq, button_seq;
static uint8_t duty_now;
static uint32_t last_status_ms;
static volatile uint8_t adc_channel;
static volatile uint16_t adc_set[N_CHANNELS];

// A watchdog reset leaves the watchdog running at its shortest timeout: switch it off before
// the C runtime's start-up (which may take longer than 15 ms) and before setup().
void watchdog_off_at_boot() __attribute__((naked, used, section(".init3")));
void watchdog_off_at_boot() {
  MCUSR = 0;
  wdt_disable();
}

ISR(TIMER1_COMPA_vect) {     // one sample set per tick: start channel 0
  adc_channel = 0;
  ADMUX = _BV(REFS0) | 0;
  ADCSRA |= _BV(ADSC);
}

ISR(ADC_vect) {
  uint16_t v = ADC;
  uint8_t ch = adc_channel;
  adc_set[ch] = v;
  if (ch + 1 < N_CHANNELS) { // chain the next channel (~104 us per conversion)
    adc_channel = ch + 1;
    ADMUX = _BV(REFS0) | (ch + 1);
    ADCSRA |= _BV(ADSC);
  } else {
    uint16_t set[N_CHANNELS] = {adc_set[0], adc_set[1]};
    cd_ring_push(&ring, set);
  }
}

static uint32_t set_time_us(uint32_t index) {
  return base_us + cd_index_to_us(index - base_index, rate_hz);
}

static void send_frames(uint8_t min_sets) {
  uint16_t values[PER_FRAME * N_CHANNELS];
  uint32_t first;
  uint8_t waiting;
  while ((waiting = cd_ring_count(&ring)) >= min_sets && waiting > 0) {
    uint8_t n = cd_ring_pop(&ring, values, PER_FRAME, &first);
    Serial.write(tx, cd_encode_samples(tx, sizeof tx, ring.frame_seq++, set_time_us(first),
                                       CHANNEL_MASK, n, values));
  }
}

// New per-channel rate: finish and send the sets taken at the old rate, then restart Timer1.
static bool set_rate(uint16_t hz) {
  if (hz < 100 || hz > 2000 || TIMER1_HZ % hz != 0) return false;
  TIMSK1 = 0;               // no new sample set
  delayMicroseconds(300);   // the set in progress (2 conversions of ~104 us) completes
  send_frames(1);
  noInterrupts();
  base_us = set_time_us(ring.next_index);
  base_index = ring.next_index;
  rate_hz = hz;
  OCR1A = (uint16_t)(TIMER1_HZ / hz - 1);
  TCNT1 = 0;
  TIFR1 = _BV(OCF1A);
  TIMSK1 = _BV(OCIE1A);
  interrupts();
  return true;
}

static uint32_t next_set_index() {
  noInterrupts();
  uint32_t next = ring.next_index;
  interrupts();
  return next;
}

static void send_status(uint32_t now_ms) {
  noInterrupts();
  uint32_t lost = ring.lost;
  interrupts();
  uint32_t next = next_set_index();
  cd_status_t s = {set_time_us(next), CHANNEL_MASK, rate_hz, 10, SIGNAL_CODE, 255, lost,
                   FIRMWARE_NAME};
  size_t n = cd_encode_status(tx, sizeof tx, status_seq++, &s);
  Serial.write(tx, n);
  last_status_ms = now_ms;
}

static void handle_frame(size_t len, uint32_t now_ms) {
  cd_command_t cmd;
  uint8_t status = cd_parse_command(rx.buf, len, &cmd);
  if (status == CD_PARSE_IGNORE) return;
  cd_motor_heartbeat(&motor, now_ms);  // every valid host frame is a heartbeat
  if (status == CD_ACK_OK) {
    switch (cmd.code) {
      case CD_CMD_VIBRATE: cd_motor_start(&motor, &cmd, now_ms); break;
      case CD_CMD_STOP: cd_motor_stop(&motor); break;
      case CD_CMD_SET_RATE: if (!set_rate(cmd.rate_hz)) status = CD_ACK_UNSUPPORTED; break;
      default: break;
    }
  }
  Serial.write(tx, cd_encode_ack(tx, sizeof tx, ack_seq++, cmd.seq, status));
  bool tell = status == CD_ACK_OK && (cmd.code == CD_CMD_PING || cmd.code == CD_CMD_SET_RATE);
  if (tell) send_status(now_ms);  // the host learns the new rate before the next samples
}

// A debounced press of the acknowledge button: motor off now, and tell the host (its alert
// policy stops escalating). t_us is on the sample clock, like the status frame's.
static void poll_button(uint32_t now_ms) {
  if (!cd_button_update(&button, digitalRead(BUTTON_PIN) == LOW, now_ms)) return;
  cd_motor_stop(&motor);
  Serial.write(tx, cd_encode_button(tx, sizeof tx, button_seq++, set_time_us(next_set_index()),
                                    CD_BUTTON_ACKNOWLEDGE));
}

static void apply_motor(uint32_t now_ms) {
  uint8_t duty = cd_motor_update(&motor, now_ms);
  if (duty != duty_now) {
    analogWrite(MOTOR_PIN, duty);  // 0 and 255 are plain digital writes
    duty_now = duty;
  }
}

void setup() {
  pinMode(MOTOR_PIN, OUTPUT);
  digitalWrite(MOTOR_PIN, LOW);
  // The motor limits below live in loop(): if it ever stops coming round (a hang, a wild jump
  // with interrupts off), the watchdog resets the MCU within 250 ms, every pin becomes an input
  // and the driver's pull-down switches the motor off; the board then restarts as after power-up.
  wdt_enable(WATCHDOG);
  pinMode(BUTTON_PIN, INPUT_PULLUP);
  cd_button_init(&button, millis());
  cd_ring_init(&ring, N_CHANNELS);
  cd_rx_init(&rx);
  cd_motor_init(&motor, millis());
  Serial.begin(BAUD);
  Serial.write((uint8_t)0);  // ends any partial frame the host saw before a reset

  ADMUX = _BV(REFS0);        // AVcc reference, right adjusted, A0
  ADCSRA = _BV(ADEN) | _BV(ADIE) | _BV(ADPS2) | _BV(ADPS1) | _BV(ADPS0);  // 125 kHz ADC clock
  noInterrupts();
  TCCR1A = 0;
  TCCR1B = _BV(WGM12) | _BV(CS11) | _BV(CS10);  // CTC, prescaler 64
  TCNT1 = 0;
  OCR1A = (uint16_t)(TIMER1_HZ / rate_hz - 1);
  TIMSK1 = _BV(OCIE1A);
  interrupts();
  send_status(millis());
}

void loop() {
  wdt_reset();
  uint32_t now_ms = millis();
  send_frames(PER_FRAME);
  while (Serial.available() > 0) {
    size_t len = cd_rx_byte(&rx, (uint8_t)Serial.read());
    if (len) handle_frame(len, now_ms);
  }
  poll_button(now_ms);
  apply_motor(now_ms);
  if (now_ms - last_status_ms >= STATUS_EVERY_MS) send_status(now_ms);
}
