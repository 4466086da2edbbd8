// create + "join" one goroutine at a time (go + WaitGroup): ns per create + join
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
		wg.Wait()
	}
	fmt.Printf("ns_per_op %.1f\n", float64(time.Since(t0).Nanoseconds())/float64(n))
}
