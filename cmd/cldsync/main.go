// Command cldsync manages a Cloudinary account as code.
package main

import "os"

func main() {
	stop := startProfiles(os.Stderr)
	code := Main(os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
