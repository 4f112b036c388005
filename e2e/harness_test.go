// Package e2e drives the real annex binary in a private tmux server, as a user would:
// keys in, screen text out. `make test` runs it; it needs tmux (CI installs it).
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var binary string // path of the annex binary built once for the package

func TestMain(m *testing.M) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "e2e: tmux is required in CI (.ci/run installs it)")
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "e2e: tmux not found; skipping the end-to-end tests (install tmux to run them)")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "annex-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "annex")
	build := exec.Command("go", "build", "-o", binary, "../cmd/annex")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: build annex: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is the environment every run gets: a private HOME so the default workspace is
// never the developer's, a fixed author, and a colour terminal.
func env(home string) []string {
	return append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"ANNEX_AUTHOR=e2e", "TERM=xterm-256color", "ANNEX_DB=")
}

// session is one annex process in its own tmux server.
type session struct {
	t      *testing.T
	socket string
	home   string
}

// waitTimeout is how long waitFor polls before failing.
var waitTimeout = func() time.Duration {
	if os.Getenv("CI") != "" {
		return 30 * time.Second
	}
	return 15 * time.Second
}()

// start runs annex with args in a w×h tmux window. The pane stays after exit so the
// exit status can be read.
func start(t *testing.T, w, h int, args ...string) *session {
	t.Helper()
	s := &session{t: t, socket: fmt.Sprintf("annex-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), home: t.TempDir()}
	quoted := []string{shellQuote(binary)}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	var envs []string
	for _, kv := range env(s.home) {
		if strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_DATA_HOME=") || strings.HasPrefix(kv, "ANNEX_") || strings.HasPrefix(kv, "TERM=") {
			envs = append(envs, shellQuote(kv))
		}
	}
	// The shell writes annex's exit status to a file: tmux does not always record the
	// status of a process that ends within moments of starting.
	cmdline := "env " + strings.Join(envs, " ") + " " + strings.Join(quoted, " ") +
		"; echo $? > " + shellQuote(filepath.Join(s.home, "exit-status"))
	// remain-on-exit comes from the config, so it holds even for a process that exits at
	// once (a refused workspace): its status stays readable.
	conf := filepath.Join(s.home, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.tmux("-f", conf, "new-session", "-d", "-s", "main", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), cmdline)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("screen at failure:\n%s", s.screen())
		}
		// A closed terminal makes annex save and write its state as it ends: wait for it to
		// end, so the temporary folder is not removed under it.
		pids := s.annexPids()
		exec.Command("tmux", "-L", s.socket, "kill-server").Run()
		deadline := time.Now().Add(10 * time.Second)
		for _, pid := range pids {
			for time.Now().Before(deadline) {
				if err := syscall.Kill(pid, 0); err != nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	})
	return s
}

// annexPids lists the annex processes running under the session's pane (none once it ended).
func (s *session) annexPids() []int {
	out, err := exec.Command("tmux", "-L", s.socket, "display-message", "-p", "-t", "main", "#{pane_pid}").Output()
	if err != nil {
		return nil
	}
	var shell int
	fmt.Sscanf(strings.TrimSpace(string(out)), "%d", &shell)
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", shell, shell))
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		var pid int
		fmt.Sscanf(f, "%d", &pid)
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && filepath.Base(exe) == "annex" {
			pids = append(pids, pid)
		}
	}
	return pids
}

func (s *session) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names one call each ("j", "Enter", "Escape", "C-c", "Tab").
// Escape must go alone, or the terminal reads it as alt+next key.
func (s *session) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.tmux("send-keys", "-t", "main", k)
		if k == "Escape" {
			time.Sleep(300 * time.Millisecond)
		}
	}
}

// text types literal text.
func (s *session) text(txt string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "main", "-l", txt)
}

// screen is the visible pane as plain text.
func (s *session) screen() string {
	out, err := exec.Command("tmux", "-L", s.socket, "capture-pane", "-t", "main", "-p").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(capture failed: %v: %s)", err, out)
	}
	return string(out)
}

// waitFor polls the screen until it contains every text, and returns that screen.
func (s *session) waitFor(texts ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		scr := s.screen()
		all := true
		for _, txt := range texts {
			all = all && strings.Contains(scr, txt)
		}
		if all {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %s for %q; screen:\n%s", waitTimeout, texts, scr)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// waitGone polls until the screen no longer contains text.
func (s *session) waitGone(text string) string {
	s.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		scr := s.screen()
		if !strings.Contains(scr, text) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %s for %q to go; screen:\n%s", waitTimeout, text, scr)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// waitStable polls until the screen has not changed for a quarter of a second.
func (s *session) waitStable() string {
	s.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	last, since := s.screen(), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		scr := s.screen()
		if scr != last {
			last, since = scr, time.Now()
			continue
		}
		if time.Since(since) >= 250*time.Millisecond {
			return scr
		}
	}
	return last
}

// waitExit waits for the process to end and returns its exit status.
func (s *session) waitExit() int {
	s.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		if b, err := os.ReadFile(filepath.Join(s.home, "exit-status")); err == nil && strings.HasSuffix(string(b), "\n") {
			var status int
			fmt.Sscanf(strings.TrimSpace(string(b)), "%d", &status)
			return status
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("annex did not exit; screen:\n%s", s.screen())
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// pid is the annex process id (for SIGKILL tests): the child of the pane's shell.
func (s *session) pid() int {
	s.t.Helper()
	var shell int
	fmt.Sscanf(strings.TrimSpace(s.tmux("display-message", "-p", "-t", "main", "#{pane_pid}")), "%d", &shell)
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", shell, shell))
		for _, f := range strings.Fields(string(b)) {
			var pid int
			fmt.Sscanf(f, "%d", &pid)
			if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && filepath.Base(exe) == "annex" {
				return pid
			}
			// env execs annex in place; give it a moment.
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("no annex process under the pane's shell %d", shell)
	return 0
}

// run executes annex with args outside tmux and returns stdout, stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env(t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run annex %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// assertNoBrokenLines fails when any screen line is wider than the window, which is
// how a broken layout shows in a capture.
func assertNoBrokenLines(t *testing.T, scr string, width int) {
	t.Helper()
	for i, line := range strings.Split(scr, "\n") {
		if n := len([]rune(line)); n > width {
			t.Errorf("line %d is %d cells wide (window %d): %q", i+1, n, width, line)
		}
	}
}
