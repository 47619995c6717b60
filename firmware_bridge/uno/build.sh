#!/bin/sh
# Build the Uno firmware by hand with avr-gcc and Debian's arduino-core-avr (no IDE, no network).
# Usage: build.sh [OUT_DIR]   -> OUT_DIR/crampdetect_uno.elf and .hex (default: build/uno)
# Fails when the image does not fit an Uno (32256 B flash, 2048 B RAM; RAM limit keeps 512 B
# free for the stack).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../../build/uno}
ARDUINO=${ARDUINO_AVR:-/usr/share/arduino/hardware/arduino/avr}
CORE=$ARDUINO/cores/arduino
VARIANT=$ARDUINO/variants/standard
FW=$HERE/../core
SKETCH=$HERE/crampdetect_uno/crampdetect_uno.ino
mkdir -p "$OUT/arduino" "$OUT/fw"
COMMON="-mmcu=atmega328p -DF_CPU=16000000L -DARDUINO=10819 -DARDUINO_AVR_UNO -DARDUINO_ARCH_AVR
 -I$CORE -I$VARIANT -I$FW -Os -g -ffunction-sections -fdata-sections -flto -Wall"
CFLAGS="$COMMON -std=gnu11"
# DECIMAL_DIG: gcc-avr 5.4 defines it only for C99, the core's WString.cpp needs it in C++
CXXFLAGS="$COMMON -std=gnu++11 -fpermissive -fno-exceptions -fno-threadsafe-statics
 -Wno-error=narrowing -DDECIMAL_DIG=__DECIMAL_DIG__"
for f in "$CORE"/*.c; do avr-gcc $CFLAGS -w -c "$f" -o "$OUT/arduino/$(basename "$f").o"; done
for f in "$CORE"/*.cpp; do avr-g++ $CXXFLAGS -w -c "$f" -o "$OUT/arduino/$(basename "$f").o"; done
for f in "$CORE"/*.S; do
  avr-gcc $COMMON -x assembler-with-cpp -c "$f" -o "$OUT/arduino/$(basename "$f").o"
done
rm -f "$OUT/arduino.a"
avr-gcc-ar rcs "$OUT/arduino.a" "$OUT"/arduino/*.o
for f in "$FW"/cd_*.c; do avr-gcc $CFLAGS -Werror -c "$f" -o "$OUT/fw/$(basename "$f").o"; done
avr-g++ $CXXFLAGS -Werror -x c++ -c "$SKETCH" -o "$OUT/sketch.o"
avr-gcc -mmcu=atmega328p -Os -g -flto -fuse-linker-plugin -Wl,--gc-sections \
  -o "$OUT/crampdetect_uno.elf" "$OUT/sketch.o" "$OUT"/fw/*.o "$OUT/arduino.a" -lm
avr-objcopy -O ihex -R .eeprom "$OUT/crampdetect_uno.elf" "$OUT/crampdetect_uno.hex"
set -- $(avr-size -A "$OUT/crampdetect_uno.elf" | awk '
  $1 == ".text" || $1 == ".data" { flash += $2 } $1 == ".data" || $1 == ".bss" { ram += $2 }
  END { print flash, ram }')
echo "SIZE flash=$1 ram=$2 (limits: flash 32256, ram 1536 leaving 512 for the stack)"
[ "$1" -le 32256 ] && [ "$2" -le 1536 ] || { echo "firmware too big for an Uno" >&2; exit 1; }
