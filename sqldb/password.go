package sqldb

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id. The stored form carries its
// parameters (the PHC string format), so that they can be raised later
// without invalidating the hashes made before.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB: OWASP's minimum for argon2id
	argonThreads = 1
	argonKeyLen  = 32
)

// hashPassword returns the argon2id hash of pw with a random salt.
func hashPassword(pw string) string {
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	key := argon2.IDKey([]byte(pw), salt[:], argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt[:]), enc.EncodeToString(key))
}

// checkPassword reports whether pw matches hash, comparing in constant time.
// A malformed hash matches nothing.
func checkPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &time, &threads); err != nil || threads == 0 || time == 0 || mem > 1<<21 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, time, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when no admin has the email given, so that a
// sign-in takes as long whether or not the account exists.
var dummyHash = hashPassword("no admin has this password")
