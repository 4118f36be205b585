package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/server"
)

// backupCmd is `pishkhan backup DEST`: the embedded default's database,
// keys and media, copied while the server runs.
func backupCmd(ctx context.Context, cfg config.Config, args []string) error {
	if len(args) != 1 || args[0] == "" {
		return errors.New("usage: pishkhan backup DEST (a new or empty directory)")
	}
	start := time.Now()
	m, notes, err := server.Backup(ctx, cfg, args[0])
	if err != nil {
		return err
	}
	fmt.Printf("backed up %s into %s in %s: the database (schema %04d), %d media files (%d bytes)",
		cfg.DataDir, args[0], time.Since(start).Round(time.Millisecond), m.SchemaVersion, m.MediaFiles, m.MediaBytes)
	if m.SecretKey {
		fmt.Print(", the secret key")
	}
	if m.AuditCheckpoint {
		fmt.Print(", the audit checkpoint")
	}
	fmt.Println()
	for _, n := range notes {
		fmt.Println("note:", n)
	}
	fmt.Println("the backup holds the secret key: keep it as private as the database")
	return nil
}

// restoreCmd is `pishkhan restore [--force] SRC`.
func restoreCmd(_ context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	force := fs.Bool("force", false, "replace the database, secret key, audit checkpoint and media already in DATA_DIR")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: pishkhan restore [--force] SRC (a directory made by pishkhan backup); stop the server first")
	}
	m, err := server.Restore(cfg, fs.Arg(0), *force)
	if err != nil {
		return err
	}
	fmt.Printf("restored the backup of %s (pishkhan %s, schema %04d) into %s; start the server, then check it with `pishkhan audit verify`\n",
		m.CreatedAt.Format(time.RFC3339), m.Version, m.SchemaVersion, cfg.DataDir)
	return nil
}
