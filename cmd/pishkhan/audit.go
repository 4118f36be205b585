package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/server"
)

// errChainBroken makes `audit verify` exit non-zero after its report.
var errChainBroken = errors.New("the audit log's hash chain is broken")

func auditCmd(ctx context.Context, cfg config.Config, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: pishkhan audit verify | pishkhan audit purge --out FILE [--before RFC3339]")
	}
	s, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.DB.CheckCurrent(ctx); err != nil {
		return err
	}
	if err := s.OpenAuditAnchor(ctx); err != nil {
		return err
	}
	switch args[0] {
	case "verify":
		rep, err := audit.Verify(ctx, s.DB.Reader(), s.AuditAnchor)
		if err != nil {
			return err
		}
		for _, p := range rep.Problems {
			if p.ID == 0 {
				fmt.Printf("log: %s\n", p.Reason)
			} else {
				fmt.Printf("row %d: %s\n", p.ID, p.Reason)
			}
		}
		if cp := rep.Checkpoint; cp != nil {
			fmt.Printf("checkpoint (%s): row %d, %d rows, taken %s\n", s.AuditAnchor.Store.Where(), cp.HeadID, cp.Rows, cp.At.Format(time.RFC3339))
		}
		fmt.Printf("checked %d rows (%d written before the chain existed): %d problems\n", rep.Rows, rep.Unchained, len(rep.Problems))
		if len(rep.Problems) > 0 {
			return errChainBroken
		}
		return nil
	case "purge":
		fs := flag.NewFlagSet("audit purge", flag.ContinueOnError)
		out := fs.String("out", "", "file to export the purged rows to (JSON Lines); must not exist")
		before := fs.String("before", "", "purge rows older than this time (RFC 3339); default: now minus AUDIT_RETENTION")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		cutoff := time.Now().Add(-cfg.AuditRetention)
		switch {
		case *out == "":
			return errors.New("give --out FILE: rows are exported before they are purged")
		case *before != "":
			if cutoff, err = time.Parse(time.RFC3339, *before); err != nil {
				return fmt.Errorf("--before: %w", err)
			}
		case cfg.AuditRetention == 0:
			return errors.New("AUDIT_RETENTION is 0 (keep forever): give --before to purge anyway")
		}
		f, err := os.OpenFile(*out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		n, err := audit.Purge(ctx, s.DB, s.AuditAnchor, cutoff, f, f.Sync)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		s.Cache.Invalidate(ctx, audit.Tag) // served lists must not show purged rows
		fmt.Printf("exported %d rows older than %s to %s and purged them\n", n, cutoff.UTC().Format(time.RFC3339), *out)
		return nil
	}
	return errors.New("usage: pishkhan audit verify | pishkhan audit purge --out FILE [--before RFC3339]")
}
