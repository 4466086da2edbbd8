// create N goroutines, then wait for them all (WaitGroup): ns per goroutine
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 10000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
	fmt.Printf("ns_per_op %.1f\n", float64(time.Since(t0).Nanoseconds())/float64(n))
}
