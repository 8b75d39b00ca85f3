package kclient

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"hash"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// Encrypted PKCS#8 private keys ("-----BEGIN ENCRYPTED PRIVATE KEY-----", RFC 5958 and
// RFC 8018): PBES2 with PBKDF2 (HMAC-SHA-1, -SHA-224, -SHA-256, -SHA-384 or -SHA-512) and
// AES-128/192/256-CBC, which is what OpenSSL 1.1 and 3 write by default. The older PBES1 schemes
// (DES, RC2) are not supported.

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KeyDerivation pkix.AlgorithmIdentifier
	Encryption    pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// maxPBKDF2Iterations bounds the work a hostile key file can ask for.
const maxPBKDF2Iterations = 10_000_000

// decryptPKCS8 returns the DER PKCS#8 key inside an EncryptedPrivateKeyInfo.
func decryptPKCS8(der []byte, password string) ([]byte, error) {
	unsupported := func(what string) error {
		return kerr.New(kerr.KindNotSupported,
			"SSLClientCert: the private key is encrypted with %s, which this driver cannot decrypt; re-encrypt it with "+
				"`openssl pkcs8 -topk8 -v2 aes-256-cbc` or use a PKCS#12 file (PFXFILE)", what)
	}
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, certConfigError("SSLClientCert: the ENCRYPTED PRIVATE KEY block cannot be read")
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, unsupported("a legacy PBES1 scheme (" + info.Algorithm.Algorithm.String() + ")")
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, certConfigError("SSLClientCert: the PBES2 parameters of the private key cannot be read")
	}
	if !params.KeyDerivation.Algorithm.Equal(oidPBKDF2) {
		return nil, unsupported("key derivation " + params.KeyDerivation.Algorithm.String())
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KeyDerivation.Parameters.FullBytes, &kdf); err != nil {
		return nil, certConfigError("SSLClientCert: the PBKDF2 parameters of the private key cannot be read")
	}
	if kdf.Iterations < 1 || kdf.Iterations > maxPBKDF2Iterations {
		return nil, certConfigError("SSLClientCert: the private key asks for %d PBKDF2 iterations", kdf.Iterations)
	}
	var prf func() hash.Hash
	switch a := kdf.PRF.Algorithm; {
	case len(a) == 0 || a.Equal(oidHMACSHA1):
		prf = sha1.New
	case a.Equal(oidHMACSHA224):
		prf = sha256.New224
	case a.Equal(oidHMACSHA256):
		prf = sha256.New
	case a.Equal(oidHMACSHA384):
		prf = sha512.New384
	case a.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, unsupported("PBKDF2 pseudo-random function " + a.String())
	}
	var keyLen int
	switch a := params.Encryption.Algorithm; {
	case a.Equal(oidAES128CBC):
		keyLen = 16
	case a.Equal(oidAES192CBC):
		keyLen = 24
	case a.Equal(oidAES256CBC):
		keyLen = 32
	default:
		return nil, unsupported("cipher " + a.String())
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Encryption.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, certConfigError("SSLClientCert: the AES parameters of the private key cannot be read")
	}
	if len(info.Data) == 0 || len(info.Data)%aes.BlockSize != 0 {
		return nil, certConfigError("SSLClientCert: the encrypted private key has a bad length")
	}
	key, err := pbkdf2.Key(prf, password, kdf.Salt, kdf.Iterations, keyLen)
	if err != nil {
		return nil, certConfigError("SSLClientCert: %v", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, certConfigError("SSLClientCert: %v", err)
	}
	out := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, info.Data)
	// PKCS#7 padding; a wrong password almost always leaves garbage here.
	n := int(out[len(out)-1])
	if n < 1 || n > aes.BlockSize || n > len(out) {
		return nil, wrongPassword("SSLClientCert's private key")
	}
	pad := out[len(out)-n:]
	want := make([]byte, n)
	for i := range want {
		want[i] = byte(n)
	}
	if !hmac.Equal(pad, want) {
		return nil, wrongPassword("SSLClientCert's private key")
	}
	return out[:len(out)-n], nil
}
