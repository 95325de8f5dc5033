# Sourced by the benchmark scripts: OpenSSL's own figure, the reference they print next to Netfence's.
# openssl_speed_bytes SECONDS BYTES ARGS... -> bytes per second of `openssl speed -seconds SECONDS
# -bytes BYTES ARGS...` (e.g. `-evp aes-128-gcm`), read from its last line ("...  1234567.89k").
openssl_speed_bytes() {
  local secs=$1 bytes=$2
  shift 2
  openssl speed -seconds "$secs" -bytes "$bytes" "$@" 2>/dev/null | awk 'END { v = $NF; sub(/k$/, "", v); print v * 1000 }'
}
