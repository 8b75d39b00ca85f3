package connstr_test

import (
	"fmt"

	"github.com/kintone-oss/cdata-kintone/gokintone/connstr"
)

func ExampleParse() {
	c, err := connstr.Parse("url=example.cybozu.com/k/;APIToken=tok12, tok13;AppId=12,13;Timeout=30")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.AuthScheme(), c.BaseURL(), c.Timeout(), c.TokenPairs())
	fmt.Println(c)
	fmt.Println(c.Mask("X-Cybozu-API-Token: tok12,tok13"))

	_, err = connstr.Parse("Url=https://example.cybozu.com;User=alice;Pasword=secret")
	fmt.Println(err)
	// Output:
	// APIToken https://example.cybozu.com 30s [{12 tok12} {13 tok13}]
	// Url=https://example.cybozu.com;APIToken=********;AppId=12,13;Timeout=30
	// X-Cybozu-API-Token: ********
	// unknown connection property "Pasword"; did you mean "Password"? (every property is listed by SELECT * FROM sys_connection_props and in the README)
}
