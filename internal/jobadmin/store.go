package jobadmin

import (
	"context"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.States) > 0 {
		conds = append(conds, `state IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(f.States)), ", ")+`)`)
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if f.Kind != "" {
		conds = append(conds, `kind = ?`)
		args = append(args, f.Kind)
	}
	if len(conds) == 0 {
		return `1 = 1`, nil
	}
	return strings.Join(conds, ` AND `), args
}

// jobIDs returns the ids of the jobs matching where (with its tail: order
// and limit), in its order; River loads the jobs themselves.
func jobIDs(ctx context.Context, q db.Querier, where string, args ...any) ([]int64, error) {
	return db.Int64s(ctx, q, `SELECT id FROM river_job WHERE `+where, args...)
}

func countJobs(ctx context.Context, q db.Querier, where string, args ...any) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE `+where, args...).Scan(&n)
	return n, err
}
