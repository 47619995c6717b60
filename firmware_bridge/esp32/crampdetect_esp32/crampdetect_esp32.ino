// crampdetect_esp32.ino - ESP32 firmware for crampdetect (arduino-esp32 3.x, BLE + USB serial).
//
// Same portable core as the Uno (../../core: framing, command parsing, motor safety, sample
// ring). This file is thin glue only:
//   - a 1 kHz hardware timer wakes a high-priority task that reads both MyoWare channels with
//     analogRead() (never in the ISR: see hardware.md §2.1) and pushes them into the ring;
//   - frames go out as BLE notifications (one or more whole frames per notification, sized to
//     the negotiated MTU) and, always, over USB serial at 500000 baud;
//   - commands arrive on the BLE write characteristic or on USB serial;
//   - the standard Battery Service reports the LiPo level.
//
// NOT COMPILED IN CI: there is no ESP32 toolchain offline. Build in the Arduino IDE (board
// "ESP32 Dev Module" or your board, core >= 3.0) after copying ../../core/cd_*.{c,h} next to
// this file. UUIDs and framing: ../../protocol/PROTOCOL.md.

#include <Arduino.h>
#include <BLE2902.h>
#include <BLEDevice.h>
#include <BLEServer.h>
#include <BLEUtils.h>
#include <freertos/stream_buffer.h>

#include "cd_motor.h"
#include "cd_proto.h"
#include "cd_sampler.h"

#define FIRMWARE_NAME "cd-esp32 0.1.0"
#define PIN_CH0 A4            // MyoWare Wireless Shield: RAW -> A4 (GPIO32), ENV -> A3
#define PIN_CH1 A3
#define SIGNAL_CODE 0         // 0 = RAW on channel 0 (PROTOCOL.md status.signal)
#define MOTOR_PIN 25          // through a logic-level MOSFET, flyback diode across the motor
#define BATTERY_PIN 35        // LiPo through a 1:2 divider (e.g. Huzzah32 A13); -1 = none
#define CHANNEL_MASK 0x03
#define N_CHANNELS 2
#define MAX_PER_FRAME 25      // <= 25 ms of latency per frame
#define BAUD 500000UL
#define STATUS_EVERY_MS 1000UL

static const char *SERVICE_UUID = "6a1e0001-6f3c-4b8e-9d1a-c2a3f0e5b7d4";
static const char *DATA_UUID = "6a1e0002-6f3c-4b8e-9d1a-c2a3f0e5b7d4";
static const char *COMMAND_UUID = "6a1e0003-6f3c-4b8e-9d1a-c2a3f0e5b7d4";

static cd_ring_t ring;
static cd_rx_t rx_ble, rx_usb;
static cd_motor_t motor;
static uint8_t tx[CD_MAX_WIRE];
static uint16_t rate_hz = 1000, status_seq, ack_seq;
static uint32_t base_index, base_us;  // device time of sample set base_index (since a rate change)
static uint8_t duty_now, battery_pct = 255;
static uint32_t last_status_ms;
static volatile uint16_t mtu = 23;
static volatile bool connected;
static TaskHandle_t sampler_task;
static hw_timer_t *timer;
static StreamBufferHandle_t ble_in;
static BLECharacteristic *data_char, *battery_char;

static void ARDUINO_ISR_ATTR on_timer() {
  BaseType_t woken = pdFALSE;
  vTaskNotifyGiveFromISR(sampler_task, &woken);
  if (woken) portYIELD_FROM_ISR();
}

static void sampler(void *) {
  for (;;) {
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    uint16_t set[N_CHANNELS] = {(uint16_t)analogRead(PIN_CH0), (uint16_t)analogRead(PIN_CH1)};
    cd_ring_push(&ring, set);  // the only producer
  }
}

class ServerCallbacks : public BLEServerCallbacks {
  void onConnect(BLEServer *) override { connected = true; }
  void onDisconnect(BLEServer *) override {
    connected = false;
    mtu = 23;
    BLEDevice::startAdvertising();
  }
  void onMtuChanged(BLEServer *, esp_ble_gatts_cb_param_t *param) override { mtu = param->mtu.mtu; }
};

class CommandCallbacks : public BLECharacteristicCallbacks {
  void onWrite(BLECharacteristic *c) override {  // BT task: hand the bytes to loop()
    xStreamBufferSend(ble_in, c->getData(), c->getLength(), 0);
  }
};

// samples per channel so that one encoded frame fits one notification (ATT_MTU - 3 bytes)
static uint8_t per_frame() {
  if (!connected) return 10;
  int n = ((int)mtu - 3 - 2 - 12) / (2 * N_CHANNELS);
  return (uint8_t)constrain(n, 1, MAX_PER_FRAME);
}

static void send(const uint8_t *frame, size_t n) {
  if (!n) return;
  Serial.write(frame, n);
  if (connected) {
    data_char->setValue((uint8_t *)frame, n);
    data_char->notify();
  }
}

static uint8_t read_battery() {
  if (BATTERY_PIN < 0) return 255;
  uint32_t mv = analogReadMilliVolts(BATTERY_PIN) * 2;  // 1:2 divider
  return (uint8_t)constrain(((int)mv - 3300) * 100 / (4200 - 3300), 0, 100);
}

static uint32_t set_time_us(uint32_t index) {
  return base_us + cd_index_to_us(index - base_index, rate_hz);
}

static void send_frames(uint8_t per, uint8_t min_sets) {
  uint16_t values[MAX_PER_FRAME * N_CHANNELS];
  uint32_t first;
  uint8_t waiting;
  while ((waiting = cd_ring_count(&ring)) >= min_sets && waiting > 0) {
    uint8_t n = cd_ring_pop(&ring, values, per, &first);
    send(tx, cd_encode_samples(tx, sizeof tx, ring.frame_seq++, set_time_us(first), CHANNEL_MASK,
                               n, values));
  }
}

static void send_status(uint32_t now_ms) {
  cd_status_t s = {set_time_us(ring.next_index), CHANNEL_MASK, rate_hz, 12, SIGNAL_CODE,
                   battery_pct, ring.lost, FIRMWARE_NAME};
  send(tx, cd_encode_status(tx, sizeof tx, status_seq++, &s));
  last_status_ms = now_ms;
}

// New per-channel rate: send the sets taken at the old rate, then restart the timer.
static bool set_rate(uint16_t hz) {
  if (hz < 100 || hz > 2000 || 1000000UL % hz != 0) return false;
  timerStop(timer);
  vTaskDelay(pdMS_TO_TICKS(2));  // the sampling task finishes the set in progress
  send_frames(per_frame(), 1);
  base_us = set_time_us(ring.next_index);
  base_index = ring.next_index;
  rate_hz = hz;
  timerAlarm(timer, 1000000UL / hz, true, 0);
  timerRestart(timer);
  timerStart(timer);
  return true;
}

static void handle_frame(cd_rx_t *rx, size_t len, uint32_t now_ms) {
  cd_command_t cmd;
  uint8_t status = cd_parse_command(rx->buf, len, &cmd);
  if (status == CD_PARSE_IGNORE) return;
  cd_motor_heartbeat(&motor, now_ms);
  if (status == CD_ACK_OK) {
    if (cmd.code == CD_CMD_VIBRATE) cd_motor_start(&motor, &cmd, now_ms);
    if (cmd.code == CD_CMD_STOP) cd_motor_stop(&motor);
    if (cmd.code == CD_CMD_SET_RATE && !set_rate(cmd.rate_hz)) status = CD_ACK_UNSUPPORTED;
  }
  send(tx, cd_encode_ack(tx, sizeof tx, ack_seq++, cmd.seq, status));
  bool tell = status == CD_ACK_OK && (cmd.code == CD_CMD_PING || cmd.code == CD_CMD_SET_RATE);
  if (tell) send_status(now_ms);
}

static void setup_ble() {
  char name[24];
  uint64_t mac = ESP.getEfuseMac();
  snprintf(name, sizeof name, "crampdetect-%02X%02X", (uint8_t)(mac >> 32), (uint8_t)(mac >> 40));
  BLEDevice::init(name);
  BLEDevice::setMTU(247);
  BLEServer *server = BLEDevice::createServer();
  server->setCallbacks(new ServerCallbacks());
  BLEService *service = server->createService(SERVICE_UUID);
  data_char = service->createCharacteristic(DATA_UUID, BLECharacteristic::PROPERTY_NOTIFY);
  data_char->addDescriptor(new BLE2902());
  BLECharacteristic *command = service->createCharacteristic(
      COMMAND_UUID, BLECharacteristic::PROPERTY_WRITE | BLECharacteristic::PROPERTY_WRITE_NR);
  command->setCallbacks(new CommandCallbacks());
  service->start();
  BLEService *battery = server->createService(BLEUUID((uint16_t)0x180F));
  battery_char = battery->createCharacteristic(
      BLEUUID((uint16_t)0x2A19), BLECharacteristic::PROPERTY_READ | BLECharacteristic::PROPERTY_NOTIFY);
  battery_char->addDescriptor(new BLE2902());
  battery->start();
  BLEAdvertising *adv = BLEDevice::getAdvertising();
  adv->addServiceUUID(SERVICE_UUID);
  adv->setScanResponse(true);
  BLEDevice::startAdvertising();
}

void setup() {
  Serial.begin(BAUD);
  Serial.write((uint8_t)0);
  analogReadResolution(12);
  analogSetAttenuation(ADC_11db);
  ledcAttach(MOTOR_PIN, 1000, 8);
  ledcWrite(MOTOR_PIN, 0);
  cd_ring_init(&ring, N_CHANNELS);
  cd_rx_init(&rx_ble);
  cd_rx_init(&rx_usb);
  cd_motor_init(&motor, millis());
  ble_in = xStreamBufferCreate(512, 1);
  setup_ble();
  xTaskCreatePinnedToCore(sampler, "sampler", 4096, NULL, configMAX_PRIORITIES - 1, &sampler_task, 1);
  timer = timerBegin(1000000);  // 1 MHz tick
  timerAttachInterrupt(timer, &on_timer);
  timerAlarm(timer, 1000000UL / rate_hz, true, 0);
}

void loop() {
  uint32_t now_ms = millis();
  uint8_t per = per_frame();
  send_frames(per, per);
  uint8_t byte;
  while (xStreamBufferReceive(ble_in, &byte, 1, 0) == 1) {
    size_t len = cd_rx_byte(&rx_ble, byte);
    if (len) handle_frame(&rx_ble, len, now_ms);
  }
  while (Serial.available() > 0) {
    size_t len = cd_rx_byte(&rx_usb, (uint8_t)Serial.read());
    if (len) handle_frame(&rx_usb, len, now_ms);
  }
  uint8_t duty = cd_motor_update(&motor, now_ms);
  if (duty != duty_now) ledcWrite(MOTOR_PIN, duty_now = duty);
  if (now_ms - last_status_ms >= STATUS_EVERY_MS) {
    battery_pct = read_battery();
    if (battery_pct <= 100) {
      battery_char->setValue(&battery_pct, 1);
      if (connected) battery_char->notify();
    }
    send_status(now_ms);
  }
  delay(1);  // yield to the idle task (sampling is timer-driven, not paced by this)
}
