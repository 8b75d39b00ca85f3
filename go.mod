module github.com/kintone-oss/cdata-kintone

go 1.26.0

require (
	github.com/go-python/gopy v0.4.10
	github.com/mattn/go-sqlite3 v1.14.53
	golang.org/x/oauth2 v0.38.0
	golang.org/x/tools v0.41.0
	software.sslmate.com/src/go-pkcs12 v0.7.4
)

require (
	github.com/gonuts/commander v0.1.0 // indirect
	github.com/gonuts/flag v0.1.0 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	golang.org/x/crypto v0.11.0 // indirect
	golang.org/x/mod v0.32.0 // indirect
	golang.org/x/sync v0.19.0 // indirect
	golang.org/x/sys v0.40.0 // indirect
	golang.org/x/telemetry v0.0.0-20260109210033-bd525da824e2 // indirect
)
