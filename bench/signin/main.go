// Command signin signs a person in to a running Salve with their email
// address and password and prints the session cookie as a request header
// line ("Cookie: salve_session=..."), for load tools that measure signed-in
// pages (bench/run gives it to wrk with -H). Patients only: staff would need
// a second factor.
//
//	go run ./bench/signin -url http://127.0.0.1:18082 -email patient@salve-demo.example -password-env PW
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18082", "the Salve site")
	email := flag.String("email", "patient@salve-demo.example", "the person's email address")
	pwEnv := flag.String("password-env", "SIGNIN_PASSWORD", "the environment variable holding the password (never a flag: it would show in process lists)")
	flag.Parse()
	if err := run(*base, *email, os.Getenv(*pwEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "signin:", err)
		os.Exit(1)
	}
}

func run(base, email, password string) error {
	if password == "" {
		return errors.New("no password in the environment variable")
	}
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(context.Background(), "POST", strings.TrimSuffix(base, "/")+"/login", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", strings.TrimSuffix(base, "/"))
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if strings.HasSuffix(ck.Name, "salve_session") && ck.Value != "" {
			fmt.Printf("Cookie: %s=%s\n", ck.Name, ck.Value)
			return nil
		}
	}
	return fmt.Errorf("no session after signing in (status %d, location %q)", resp.StatusCode, resp.Header.Get("Location"))
}
