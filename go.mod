module github.com/kintone-oss/cdata-kintone

go 1.26.0

require github.com/mattn/go-sqlite3 v1.14.34 // indirect
