// crampdetect_esp32.ino - ESP32 firmware for crampdetect (arduino-esp32 3.x, BLE + USB serial).
//
// Same portable core as the Uno (../../core: framing, command parsing, motor safety, sample
// ring). This file is thin glue only:
//   - a 1 kHz hardware timer wakes a high-priority task that reads the MyoWare channel(s) with
//     analogRead() (never in the ISR: see hardware.md §2.1) and pushes them into the ring;
//   - frames go out over USB serial at 500000 baud and, while a bonded central is subscribed, as
//     BLE notifications: the same byte stream cut into notifications of at most ATT_MTU - 3 bytes
//     (20 at the default MTU), frames split anywhere (PROTOCOL.md "BLE"), sent by their own task
//     so a slow radio never delays loop() and the motor governor;
//   - BLE needs an encrypted, bonded, MITM-protected link (LE Secure Connections, passkey
//     BLE_PASSKEY shown to nobody: you type it on the computer when pairing) to write commands
//     or subscribe to the data; the Battery Service stays readable;
//   - commands arrive on the BLE write characteristic or on USB serial (one byte stream each);
//   - the acknowledge button (GPIO27 to GND) is debounced like on the Uno: the motor stops and a
//     button frame goes to the host;
//   - the standard Battery Service reports the LiPo level;
//   - the task watchdog restarts the chip (motor off) if loop() stops for WATCHDOG_MS.
//
// NOT COMPILED IN CI: there is no ESP32 toolchain offline. Build in the Arduino IDE (board
// "ESP32 Dev Module" or your board, core >= 3.0) after copying ../../core/cd_*.{c,h} next to
// this file. UUIDs and framing: ../../protocol/PROTOCOL.md.

#include <Arduino.h>
#include <BLE2902.h>
#include <BLEDevice.h>
#include <BLESecurity.h>
#include <BLEServer.h>
#include <BLEUtils.h>
#include <esp_task_wdt.h>
#include <freertos/stream_buffer.h>

#include "cd_button.h"
#include "cd_motor.h"
#include "cd_proto.h"
#include "cd_sampler.h"

#define FIRMWARE_NAME "cd-esp32 0.1.0"
// One channel = one sensor (one calf), every channel the same output (SIGNAL_CODE says which).
// Never send one sensor's RAW and ENV as two channels: the host reads every channel as the
// signal SIGNAL_CODE names, a second channel as the other leg (a false cramp, a late alert).
// Default: one MyoWare on the Wireless Shield, its RAW (A4, GPIO32) on channel 0; the shield's
// ENV line (A3) is not read. Two calves: a second MyoWare's RAW (the same output as the first)
// on PIN_CH1, an ADC1 pin (GPIO32-39; ADC2 is not usable with the radio on), then
// CHANNEL_MASK 0x03 and N_CHANNELS 2.
#define PIN_CH0 A4            // calf 1 (left): the Wireless Shield's RAW
#define PIN_CH1 33            // calf 2 (right), read only when N_CHANNELS is 2: NOT A3 (ENV)
#define SIGNAL_CODE 0         // 0 = RAW on every channel, 1 = ENV on every channel (status.signal)
#define MOTOR_PIN 25          // through a logic-level MOSFET, flyback diode across the motor
#define BUTTON_PIN 27         // acknowledge button to GND, internal pull-up (pressed = LOW)
// Your own 6-digit BLE passkey (100000-999999): the computer asks for it once, when pairing.
// There is deliberately no default: a passkey shared by every board protects none of them.
#define BLE_PASSKEY 0
#define BATTERY_PIN 35        // LiPo through a 1:2 divider (e.g. Huzzah32 A13); -1 = none
#define CHANNEL_MASK 0x01    // 0x01: one calf on PIN_CH0; 0x03: two calves (PIN_CH0, PIN_CH1)
#define N_CHANNELS 1         // channels in CHANNEL_MASK: 1 or 2
#define MAX_PER_FRAME 25      // samples per channel per frame on BLE (fewer headers); USB: 10
#define BLE_TX_BYTES 4096     // BLE send buffer: ~0.8 s of 2 channels at 1 kHz
#define BAUD 500000UL
#define STATUS_EVERY_MS 1000UL
#define WATCHDOG_MS 1000      // loop() must come round this often or the chip resets, motor off

static const char *SERVICE_UUID = "6a1e0001-6f3c-4b8e-9d1a-c2a3f0e5b7d4";
static const char *DATA_UUID = "6a1e0002-6f3c-4b8e-9d1a-c2a3f0e5b7d4";
static const char *COMMAND_UUID = "6a1e0003-6f3c-4b8e-9d1a-c2a3f0e5b7d4";

static cd_ring_t ring;
static cd_rx_t rx_ble, rx_usb;
static cd_motor_t motor;
static cd_button_t button;
static uint8_t tx[CD_MAX_WIRE];
static uint16_t rate_hz = 1000, status_seq, ack_seq, button_seq;
static uint32_t base_index, base_us;  // device time of sample set base_index (since a rate change)
static uint8_t duty_now, battery_pct = 255;
static uint32_t last_status_ms;
static volatile uint16_t mtu = 23;
static volatile bool connected;
static uint32_t ble_frames_dropped;  // whole frames not queued for BLE (radio too slow)
static TaskHandle_t sampler_task;
static hw_timer_t *timer;
static StreamBufferHandle_t ble_in, ble_out;
static BLECharacteristic *data_char, *battery_char;

static_assert((CHANNEL_MASK == 0x01 && N_CHANNELS == 1) || (CHANNEL_MASK == 0x03 && N_CHANNELS == 2),
              "CHANNEL_MASK 0x01 with N_CHANNELS 1, or 0x03 with 2 (one sensor per channel)");
static_assert(BLE_PASSKEY >= 100000 && BLE_PASSKEY <= 999999,
              "set BLE_PASSKEY at the top of the sketch to your own 6-digit number");

static void ARDUINO_ISR_ATTR on_timer() {
  BaseType_t woken = pdFALSE;
  vTaskNotifyGiveFromISR(sampler_task, &woken);
  if (woken) portYIELD_FROM_ISR();
}

static void sampler(void *) {
  for (;;) {
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    uint16_t set[CD_MAX_CHANNELS] = {(uint16_t)analogRead(PIN_CH0),
                                     (uint16_t)(N_CHANNELS > 1 ? analogRead(PIN_CH1) : 0)};
    cd_ring_push(&ring, set);  // the only producer
  }
}

// Notification payload: ATT_MTU - 3 bytes (20 at the default MTU 23, 244 at 247).
static size_t ble_payload() { return (size_t)constrain((int)mtu - 3, 20, 244); }

class ServerCallbacks : public BLEServerCallbacks {
  void onConnect(BLEServer *) override { connected = true; }
  void onDisconnect(BLEServer *) override {
    connected = false;
    mtu = 23;  // the sender drains (and drops) what is left within 10 ms
    BLEDevice::startAdvertising();
  }
  void onMtuChanged(BLEServer *, esp_ble_gatts_cb_param_t *param) override {
    mtu = param->mtu.mtu;
    xStreamBufferSetTriggerLevel(ble_out, ble_payload());
  }
};

// The BLE sender: takes up to one payload of the byte stream (a full one, or whatever is there
// after 10 ms) and notifies it. Frames are cut wherever the payload ends; the host decodes the
// notifications as one stream (PROTOCOL.md "BLE"). notify() paces itself on the stack.
static void ble_sender(void *) {
  static uint8_t chunk[244];
  for (;;) {
    size_t n = xStreamBufferReceive(ble_out, chunk, ble_payload(), pdMS_TO_TICKS(10));
    if (n && connected) {  // after a disconnect the rest is dropped: the host resyncs on 0x00
      data_char->setValue(chunk, n);
      data_char->notify();
    }
  }
}

class CommandCallbacks : public BLECharacteristicCallbacks {
  void onWrite(BLECharacteristic *c) override {  // BT task: hand the bytes to loop()
    xStreamBufferSend(ble_in, c->getData(), c->getLength(), 0);
  }
};

// Samples per channel per frame: frames are fragmented to the MTU, so this only trades header
// bytes against latency (25 ms on BLE, 10 ms on USB).
static uint8_t per_frame() { return connected ? MAX_PER_FRAME : 10; }

// Every frame goes to USB serial, and to the BLE stream while connected: whole frames only (a
// frame that does not fit the buffer is dropped and shows as a sequence gap on the host).
static void send(const uint8_t *frame, size_t n) {
  if (!n) return;
  Serial.write(frame, n);
  if (!connected) return;
  if (xStreamBufferSpacesAvailable(ble_out) >= n)  // loop() is the only writer
    xStreamBufferSend(ble_out, frame, n, 0);
  else
    ble_frames_dropped++;
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

// LE Secure Connections, bonding, MITM protection by passkey entry: the board has "display
// only" I/O and its passkey is BLE_PASSKEY, which the user types on the computer when pairing.
// Bonds are kept in flash (NVS): pair once. The command characteristic and the data
// characteristic's subscription descriptor need such a link (ESP_GATT_PERM_*_ENC_MITM), so an
// unpaired central in range can neither drive the motor nor read the EMG.
static void setup_security() {
  BLESecurity *security = new BLESecurity();
  security->setAuthenticationMode(ESP_LE_AUTH_REQ_SC_MITM_BOND);
  security->setCapability(ESP_IO_CAP_OUT);
  security->setInitEncryptionKey(ESP_BLE_ENC_KEY_MASK | ESP_BLE_ID_KEY_MASK);
  security->setRespEncryptionKey(ESP_BLE_ENC_KEY_MASK | ESP_BLE_ID_KEY_MASK);
  security->setKeySize(16);
  // The BLESecurity API changed in core 3.3.0 (BLE library shared with NimBLE); later 3.3.x
  // releases fixed static-passkey pairing on Bluedroid (arduino-esp32 PR #11681).
#if ESP_ARDUINO_VERSION >= ESP_ARDUINO_VERSION_VAL(3, 3, 0)
  security->setPassKey(true, BLE_PASSKEY);
#else
  security->setStaticPIN(BLE_PASSKEY);
#endif
}

static void setup_ble() {
  char name[24];
  uint64_t mac = ESP.getEfuseMac();
  snprintf(name, sizeof name, "crampdetect-%02X%02X", (uint8_t)(mac >> 32), (uint8_t)(mac >> 40));
  BLEDevice::init(name);
  BLEDevice::setMTU(247);
  setup_security();
  BLEServer *server = BLEDevice::createServer();
  server->setCallbacks(new ServerCallbacks());
  BLEService *service = server->createService(SERVICE_UUID);
  data_char = service->createCharacteristic(DATA_UUID, BLECharacteristic::PROPERTY_NOTIFY);
  data_char->setAccessPermissions(ESP_GATT_PERM_READ_ENC_MITM);
  BLE2902 *subscription = new BLE2902();
  subscription->setAccessPermissions(ESP_GATT_PERM_READ_ENC_MITM | ESP_GATT_PERM_WRITE_ENC_MITM);
  data_char->addDescriptor(subscription);
  BLECharacteristic *command = service->createCharacteristic(
      COMMAND_UUID, BLECharacteristic::PROPERTY_WRITE | BLECharacteristic::PROPERTY_WRITE_NR);
  command->setAccessPermissions(ESP_GATT_PERM_WRITE_ENC_MITM);
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
  pinMode(BUTTON_PIN, INPUT_PULLUP);
  cd_button_init(&button, millis());
  cd_ring_init(&ring, N_CHANNELS);
  cd_rx_init(&rx_ble);
  cd_rx_init(&rx_usb);
  cd_motor_init(&motor, millis());
  ble_in = xStreamBufferCreate(512, 1);
  ble_out = xStreamBufferCreate(BLE_TX_BYTES, ble_payload());
  setup_ble();
  xTaskCreatePinnedToCore(ble_sender, "ble-sender", 4096, NULL, 1, NULL, 0);
  xTaskCreatePinnedToCore(sampler, "sampler", 4096, NULL, configMAX_PRIORITIES - 1, &sampler_task, 1);
  timer = timerBegin(1000000);  // 1 MHz tick
  timerAttachInterrupt(timer, &on_timer);
  timerAlarm(timer, 1000000UL / rate_hz, true, 0);
  // Last (BLE set-up is slow). The motor limits live in loop(): if it stops coming round, the
  // task watchdog panics and the chip restarts; the motor pin is an input again and the gate's
  // pull-down holds the motor off.
  esp_task_wdt_config_t wdt = {.timeout_ms = WATCHDOG_MS, .idle_core_mask = 0, .trigger_panic = true};
  if (esp_task_wdt_reconfigure(&wdt) != ESP_OK) esp_task_wdt_init(&wdt);  // not started yet
  esp_task_wdt_add(NULL);  // the loop task
}

void loop() {
  esp_task_wdt_reset();
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
  if (cd_button_update(&button, digitalRead(BUTTON_PIN) == LOW, now_ms)) {
    cd_motor_stop(&motor);  // acknowledged: motor off now, then tell the host
    send(tx, cd_encode_button(tx, sizeof tx, button_seq++, set_time_us(ring.next_index),
                              CD_BUTTON_ACKNOWLEDGE));
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
