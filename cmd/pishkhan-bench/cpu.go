package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux
// architecture Go runs on.
const clockTicks = 100

// process is a process whose CPU time a window records, by name.
type process struct {
	name string
	pid  int // 0: this load generator itself
}

// parseProcesses reads -cpu's "name=pid,name=pid" and adds the load
// generator itself.
func parseProcesses(s string) ([]process, error) {
	out := []process{{name: "load generator"}}
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, pidText, ok := strings.Cut(part, "=")
		pid, err := strconv.Atoi(pidText)
		if !ok || name == "" || err != nil || pid <= 0 {
			return nil, fmt.Errorf("-cpu: %q is not name=pid", part)
		}
		if _, err := processCPU(pid); err != nil {
			return nil, fmt.Errorf("-cpu: %s: %w", name, err)
		}
		out = append(out, process{name: name, pid: pid})
	}
	return out, nil
}

// processCPU returns the user plus system CPU time a process has used.
func processCPU(pid int) (time.Duration, error) {
	path := "/proc/self/stat"
	if pid > 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// the command name (field 2) may hold spaces: count from its ")"
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	// fields 14 and 15 (utime, stime) are f[11] and f[12]
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	return time.Duration(u+s) * time.Second / clockTicks, nil
}

// machineCPU returns the machine's busy and total CPU time from /proc/stat.
func machineCPU() (busy, total int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected format")
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: unexpected format")
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total, nil
}

// cpuSnapshot is every watched process's CPU time and the machine's, at once.
type cpuSnapshot struct {
	procs       []time.Duration // -1 when unreadable (the process ended)
	busy, total int64
}

func snapshot(procs []process) cpuSnapshot {
	s := cpuSnapshot{procs: make([]time.Duration, len(procs))}
	for i, p := range procs {
		d, err := processCPU(p.pid)
		if err != nil {
			d = -1
		}
		s.procs[i] = d
	}
	s.busy, s.total, _ = machineCPU()
	return s
}

// CPUUse is one process's CPU time over a measured window.
type CPUUse struct {
	Name string `json:"name"`
	// Cores is CPU time divided by the window: 1 means one core all along.
	Cores float64 `json:"cores"`
	// MicrosPerRequest is CPU time divided by the window's requests.
	MicrosPerRequest float64 `json:"micros_per_request"`
}

// cpuUse compares two snapshots taken window apart, over requests.
func cpuUse(procs []process, a, b cpuSnapshot, window time.Duration, requests int) (use []CPUUse, machineBusy float64) {
	for i, p := range procs {
		if a.procs[i] < 0 || b.procs[i] < 0 {
			continue
		}
		d := b.procs[i] - a.procs[i]
		u := CPUUse{Name: p.name, Cores: d.Seconds() / window.Seconds()}
		if requests > 0 {
			u.MicrosPerRequest = float64(d.Microseconds()) / float64(requests)
		}
		use = append(use, u)
	}
	if b.total > a.total {
		machineBusy = float64(b.busy-a.busy) / float64(b.total-a.total)
	}
	return use, machineBusy
}
