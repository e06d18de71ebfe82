package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/welfare-district/swd/internal/keyserver"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestKeyserverCLI(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	if code, _, errs := runCLI(t, "-q", "keyserver", "keygen", "--out", p("oprf.key")); code != ExitOK {
		t.Fatal(errs)
	}
	for _, partner := range []string{"caritas", "acli"} {
		code, _, errs := runCLI(t, "-q", "keyserver", "token", "--tokens", p("tokens"), "--partner", partner, "--out", p(partner+".token"))
		if code != ExitOK {
			t.Fatal(errs)
		}
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"keyserver", "--addr", addr, "--key", p("oprf.key"), "--tokens", p("tokens"),
			"--audit", p("audit.jsonl"), "--rate", "100000/s"}, &bytes.Buffer{}, &stderr)
	}()
	var (
		a, b [][]byte
		err  error
	)
	in := [][]byte{[]byte("RSSMRA80A01G224K"), []byte("VRDGPP13R10B293T")}
	for i := 0; i < 100; i++ { // wait for the listener
		tok, _ := keyserver.ReadToken(p("caritas.token"))
		if a, err = (keyserver.Client{URL: "http://" + addr, Token: tok}).Pseudonyms(context.Background(), in); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	tok, err := keyserver.ReadToken(p("acli.token"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err = (keyserver.Client{URL: "http://" + addr, Token: tok}).Pseudonyms(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a[0], b[0]) || bytes.Equal(a[0], a[1]) {
		t.Fatal("pseudonyms are not consistent across partners")
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("keyserver exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("keyserver did not stop on cancel")
	}
	f, err := os.Open(p("audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	partners := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e struct {
			Partner string `json:"partner"`
			Status  int    `json:"status"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		partners[e.Partner]++
		if strings.Contains(sc.Text(), "RSSMRA") {
			t.Fatal("audit log holds an input")
		}
	}
	if partners["caritas"] != 1 || partners["acli"] != 1 {
		t.Fatalf("audit partners %v", partners)
	}
}

func TestKeyserverFlags(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing key", []string{"keyserver", "--tokens", "t", "--audit", "a"}, ExitUsage, "--key"},
		{"bad rate", []string{"keyserver", "--key", "k", "--tokens", "t", "--audit", "a", "--rate", "fast"}, ExitUsage, "--rate"},
		{"bad rate unit", []string{"keyserver", "--key", "k", "--tokens", "t", "--audit", "a", "--rate", "5/w"}, ExitUsage, "unit"},
		{"public http", []string{"keyserver", "--key", "k", "--tokens", "t", "--audit", "a", "--addr", "0.0.0.0:8787"}, ExitIntegrity, "in clear"},
		{"tls half", []string{"keyserver", "--key", "k", "--tokens", "t", "--audit", "a", "--tls-cert", "c"}, ExitUsage, "go together"},
		{"missing key file", []string{"keyserver", "--key", p("nope"), "--tokens", "t", "--audit", p("a")}, ExitUsage, "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.msg) {
				t.Fatalf("code %d (%s), want %d %q", code, errs, tc.code, tc.msg)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{"10": 10, "10/s": 10, "120/m": 2, "7200/h": 2, "172800/d": 2, "0": 0} {
		if got, err := parseRate(in); err != nil || got != want {
			t.Fatalf("parseRate(%q) = %v, %v", in, got, err)
		}
	}
}
