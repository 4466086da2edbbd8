// N goroutines blocked on one sync.Cond: resident bytes per blocked goroutine (or, run
// as create_blocked, the time to create them all until the last is blocked, per goroutine)
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func rss() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(s.Text())[1], 10, 64)
			return kb * 1024
		}
	}
	return -1
}

func main() {
	n := 10000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var m sync.Mutex
	c := sync.NewCond(&m)
	ready, wake := 0, false
	var wg sync.WaitGroup
	before := rss()
	t0 := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			m.Lock()
			ready++
			for !wake {
				c.Wait()
			}
			m.Unlock()
			wg.Done()
		}()
	}
	for {
		m.Lock()
		r := ready
		m.Unlock()
		if r == n {
			break
		}
		runtime.Gosched()
	}
	elapsed := time.Since(t0)
	after := rss()
	m.Lock()
	wake = true
	c.Broadcast()
	m.Unlock()
	wg.Wait()
	if filepath.Base(os.Args[0]) == "create_blocked" {
		fmt.Printf("ns_per_op %.1f\n", float64(elapsed.Nanoseconds())/float64(n))
		return
	}
	if before < 0 || after < 0 {
		os.Exit(1)
	}
	fmt.Printf("bytes_per_thread %.1f\n", float64(after-before)/float64(n))
}
