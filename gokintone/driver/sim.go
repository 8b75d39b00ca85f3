package driver

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/dberr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// simOptions are the options SimStart accepts as JSON.
type simOptions struct {
	LatencyMs    int64  `json:"latencyMs"`
	Port         int    `json:"port"`
	OrderRecords int    `json:"orderRecords"`
	TimeZone     string `json:"timeZone"`
}

type sim struct {
	rn      *kintonesim.Running
	fixture *kintonesim.Fixture
}

// SimStart starts a simulator. fixture is "" for the sample dataset, a JSON document, or
// "@path" for a JSON file.
func SimStart(fixture, options string) (int64, error) {
	var o simOptions
	if strings.TrimSpace(options) != "" {
		dec := json.NewDecoder(strings.NewReader(options))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return 0, dberr.New(dberr.ProgrammingError, "", "bad simulator options: %v", err)
		}
	}
	var f *kintonesim.Fixture
	switch {
	case strings.TrimSpace(fixture) == "":
		f = kintonesim.SampleFixture(kintonesim.SampleOptions{OrderRecords: o.OrderRecords})
	default:
		var err error
		if strings.HasPrefix(fixture, "@") {
			f, err = kintonesim.LoadFixture(fixture[1:])
		} else {
			f, err = kintonesim.ParseFixture([]byte(fixture))
		}
		if err != nil {
			return 0, dberr.New(dberr.ProgrammingError, "", "bad fixture: %v", err)
		}
	}
	opts := kintonesim.Options{Latency: time.Duration(o.LatencyMs) * time.Millisecond}
	if o.TimeZone != "" {
		loc, err := time.LoadLocation(o.TimeZone)
		if err != nil {
			return 0, dberr.New(dberr.ProgrammingError, "", "unknown time zone %q", o.TimeZone)
		}
		opts.Location = loc
	}
	rn, err := kintonesim.Start(f, opts, o.Port)
	if err != nil {
		return 0, dberr.Wrap(err, dberr.OperationalError, "", "cannot start the simulator: %v", err)
	}
	return registry.add(&sim{rn: rn, fixture: f}), nil
}

func getSim(h int64) (*sim, error) {
	s, ok := registry.get(h).(*sim)
	if !ok || s == nil {
		return nil, dberr.New(dberr.InterfaceError, "", "the simulator is stopped")
	}
	return s, nil
}

type simApp struct {
	ID           int64             `json:"id"`
	Code         string            `json:"code"`
	Name         string            `json:"name"`
	GuestSpaceID *int64            `json:"guestSpaceId"`
	Tokens       map[string]string `json:"tokens"`
}

// SimInfo returns the URL, the first user's credentials and the apps with their tokens.
func SimInfo(h int64) (string, error) {
	s, err := getSim(h)
	if err != nil {
		return "", err
	}
	info := map[string]any{"url": s.rn.URL()}
	for _, u := range s.fixture.Users {
		if u.Password != "" {
			info["user"], info["password"] = u.Code, u.Password
			break
		}
	}
	apps := []simApp{}
	for _, a := range s.fixture.Apps {
		sa := simApp{ID: a.ID, Code: a.Code, Name: a.Name, Tokens: map[string]string{}}
		if a.GuestSpaceID != 0 {
			g := a.GuestSpaceID
			sa.GuestSpaceID = &g
		}
		for _, t := range a.APITokens {
			switch {
			case t.View && t.Add && t.Edit && t.Delete:
				if _, ok := sa.Tokens["full"]; !ok {
					sa.Tokens["full"] = t.Token
				}
			case t.View && !t.Add && !t.Edit && !t.Delete:
				if _, ok := sa.Tokens["view"]; !ok {
					sa.Tokens["view"] = t.Token
				}
			}
		}
		apps = append(apps, sa)
	}
	info["apps"] = apps
	b, err := json.Marshal(info)
	return string(b), err
}

// SimRequests returns the request log as JSON.
func SimRequests(h int64) (string, error) {
	s, err := getSim(h)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(s.rn.Server.Requests())
	return string(b), err
}

// SimResetRequests clears the request log.
func SimResetRequests(h int64) error {
	s, err := getSim(h)
	if err != nil {
		return err
	}
	s.rn.Server.ResetRequests()
	return nil
}

// SimStop stops a simulator.
func SimStop(h int64) error {
	s, ok := registry.remove(h).(*sim)
	if !ok || s == nil {
		return nil
	}
	return s.rn.Close()
}
