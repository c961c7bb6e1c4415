package emulator

//go:generate go run ./internal/genops -spec ../../api/provisioning.openapi.yml -out operations_gen.go
