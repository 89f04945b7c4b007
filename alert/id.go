package alert

import (
	"crypto/sha256"
	"encoding/hex"
)

// ContentID is the stable ID of an alert whose source gave none: the
// source name and the SHA-256 of the raw payload, so the same alert always
// gets the same ID and two different alerts practically never share one.
func ContentID(source string, raw []byte) string {
	h := sha256.New()
	h.Write([]byte(source))
	h.Write([]byte{0})
	h.Write(raw)
	return source + "-" + hex.EncodeToString(h.Sum(nil))[:32]
}
