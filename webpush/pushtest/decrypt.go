package pushtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// headerLen is the aes128gcm header before the key ID (RFC 8188 §2.1):
// salt (16), record size (4), key ID length (1).
const headerLen = 21

// ErrDecrypt is wrapped by Decrypt's errors.
var ErrDecrypt = errors.New("pushtest: cannot decrypt")

// Decrypt returns the plaintext of a push message body as a user agent
// reads it (RFC 8291 §3.4 for the keys, RFC 8188 for the aes128gcm
// coding), given the subscription's private key and auth secret. It is
// written here, apart from the library that encrypts, so that the test of
// a Send checks the library's output against the RFCs, not against
// itself.
//
// RFC 8291 §4 holds an application server to one record with the
// application server's public key as the key ID; a body that breaks that,
// has a record size under 18, a bad tag, or padding that does not end in
// the final-record delimiter 0x02 is refused.
func Decrypt(body []byte, uaPrivate *ecdh.PrivateKey, authSecret []byte) ([]byte, error) {
	if len(authSecret) != 16 {
		return nil, fmt.Errorf("%w: auth secret of %d bytes, want 16", ErrDecrypt, len(authSecret))
	}
	if len(body) < headerLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the aes128gcm header", ErrDecrypt, len(body))
	}
	salt := body[:16]
	rs := binary.BigEndian.Uint32(body[16:20])
	idlen := int(body[20])
	if rs < 18 {
		return nil, fmt.Errorf("%w: record size %d, want at least 18", ErrDecrypt, rs)
	}
	if idlen != 65 {
		return nil, fmt.Errorf("%w: key ID of %d bytes, want the application server's uncompressed P-256 key (65)", ErrDecrypt, idlen)
	}
	if len(body) < headerLen+idlen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header and its key ID", ErrDecrypt, len(body))
	}
	asPublic, err := ecdh.P256().NewPublicKey(body[headerLen : headerLen+idlen])
	if err != nil {
		return nil, fmt.Errorf("%w: key ID is not a P-256 point", ErrDecrypt)
	}
	record := body[headerLen+idlen:]
	if len(record) < 16+1 {
		return nil, fmt.Errorf("%w: record of %d bytes, shorter than a tag and a delimiter", ErrDecrypt, len(record))
	}
	if uint64(len(record)) > uint64(rs) {
		return nil, fmt.Errorf("%w: %d bytes of records with record size %d: more than one record", ErrDecrypt, len(record), rs)
	}
	cek, nonce, err := deriveKeys(uaPrivate, asPublic, authSecret, salt)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	// The only record is record 0, whose nonce is NONCE XOR 0.
	plain, err := gcm.Open(nil, nonce, record, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: record does not authenticate (wrong keys, or altered)", ErrDecrypt)
	}
	// The record is data, a delimiter, then zeros (RFC 8188 §2).
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return nil, fmt.Errorf("%w: record has no padding delimiter", ErrDecrypt)
	}
	if plain[i] != 2 {
		return nil, fmt.Errorf("%w: padding delimiter 0x%02x, want 0x02 (the last record's)", ErrDecrypt, plain[i])
	}
	return plain[:i], nil
}

// deriveKeys computes the content encryption key and nonce of RFC 8291
// §3.4, step by step as the RFC writes them: each HKDF here needs a single
// block of output, so HKDF-Expand is one HMAC over info || 0x01.
func deriveKeys(uaPrivate *ecdh.PrivateKey, asPublic *ecdh.PublicKey, authSecret, salt []byte) (cek, nonce []byte, err error) {
	ecdhSecret, err := uaPrivate.ECDH(asPublic)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: ECDH: %w", ErrDecrypt, err)
	}
	// PRK_key = HMAC-SHA-256(auth_secret, ecdh_secret)
	prkKey := hmacSHA256(authSecret, ecdhSecret)
	// key_info = "WebPush: info" || 0x00 || ua_public || as_public
	keyInfo := append([]byte("WebPush: info\x00"), uaPrivate.PublicKey().Bytes()...)
	keyInfo = append(keyInfo, asPublic.Bytes()...)
	// IKM = HMAC-SHA-256(PRK_key, key_info || 0x01)
	ikm := hmacSHA256(prkKey, append(keyInfo, 1))
	// PRK = HMAC-SHA-256(salt, IKM)
	prk := hmacSHA256(salt, ikm)
	// CEK = HMAC-SHA-256(PRK, cek_info || 0x01)[0..15]
	cek = hmacSHA256(prk, []byte("Content-Encoding: aes128gcm\x00\x01"))[:16]
	// NONCE = HMAC-SHA-256(PRK, nonce_info || 0x01)[0..11]
	nonce = hmacSHA256(prk, []byte("Content-Encoding: nonce\x00\x01"))[:12]
	return cek, nonce, nil
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}
