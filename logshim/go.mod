module github.com/google/logger

go 1.22
