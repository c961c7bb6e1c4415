package main

import "fmt"

type versionCmd struct{}

func (versionCmd) Run(s streams) error {
	_, err := fmt.Fprintf(s.Stdout, "cldsync %s\n", version)
	return err
}
