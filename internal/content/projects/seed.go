package projects

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// seed texts, in Persian and English, never mixed within one project
// (a ~ in them is a zero-width non-joiner, see zwnj)
var seedText = map[content.Lang]struct {
	kinds, subjects, clients, tags, sentences []string
}{
	content.Fa: {
		kinds:    []string{"طراحی وب~سایت", "اپلیکیشن موبایل", "هویت بصری", "فروشگاه اینترنتی", "داشبورد مدیریتی", "سامانه~ی رزرو"},
		subjects: []string{"کافه~ی نارنج", "کتاب~فروشی ققنوس", "کلینیک دندان~پزشکی لبخند", "هتل پارسیان", "فرش دستباف کاشان", "آموزشگاه زبان آوا"},
		clients:  []string{"گروه صنعتی پارس", "استارتاپ رهنما", "شرکت نوآوران", "فروشگاه زنجیره~ای افق", "بنیاد فرهنگی مهر"},
		tags:     []string{"طراحی", "وب", "موبایل", "برندینگ", "تجارت الکترونیک", "تجربه~ی کاربری", "ری~اکت", "گو"},
		sentences: []string{"این پروژه در سه مرحله انجام شد: پژوهش، طراحی و پیاده~سازی.",
			"تمرکز اصلی بر سرعت بارگذاری و دسترس~پذیری برای همه~ی کاربران بود.",
			"نسخه~ی فارسی و انگلیسی با چیدمان راست~به~چپ و چپ~به~راست ساخته شد.",
			"فروش آنلاین مشتری در شش ماه نخست دو برابر شد.",
			"تیم ما با کارفرما در جلسه~های هفتگی پیشرفت را مرور می~کرد."},
	},
	content.En: {
		kinds:    []string{"Website redesign", "Mobile app", "Brand identity", "Online store", "Admin dashboard", "Booking system"},
		subjects: []string{"Naranj Café", "Phoenix Books", "Smile Dental Clinic", "Parsian Hotel", "Kashan Carpets", "Ava Language School"},
		clients:  []string{"Pars Industrial Group", "Rahnama Startup", "Noavaran Ltd", "Ofogh Stores", "Mehr Foundation"},
		tags:     []string{"design", "web", "mobile", "branding", "e-commerce", "ux", "react", "go"},
		sentences: []string{"The project ran in three phases: research, design and build.",
			"We focused on load time and accessibility for every visitor.",
			"Persian and English versions share one layout, mirrored for right-to-left.",
			"The client's online sales doubled in the first six months.",
			"Weekly reviews with the client kept the scope honest."},
	},
}

// zwnj puts the zero-width non-joiners back where the texts above say ~.
func zwnj(s string) string { return strings.ReplaceAll(s, "~", "\u200c") }

// Seed inserts n demo projects (about two thirds Persian; most published,
// some drafts and archived ones, a few featured), last in the manual
// order, without media. It returns how many it made. Callers invalidate
// the cache (content.TagProjects, content.TagPublic) afterwards; the
// search index is rebuilt with `pishkhan search rebuild`.
func Seed(ctx context.Context, d *db.DB, n int) (int, error) {
	st := Store{DB: d}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(n)))
	now := time.Now().UTC().Truncate(time.Microsecond)
	var base int64
	if err := d.Reader().QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM projects`).Scan(&base); err != nil {
		return 0, err
	}
	done := 0
	for done < n {
		batch := min(500, n-done)
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for i := 0; i < batch; i++ {
				lang := content.Fa
				if r.IntN(3) == 0 {
					lang = content.En
				}
				txt := seedText[lang]
				title := zwnj(txt.kinds[r.IntN(len(txt.kinds))] + " — " + txt.subjects[r.IntN(len(txt.subjects))])
				body := ""
				for j := 0; j < 3+r.IntN(4); j++ {
					body += zwnj(txt.sentences[r.IntN(len(txt.sentences))]) + " "
				}
				md := "## " + zwnj(txt.kinds[0]) + "\n\n" + body + "\n"
				start := now.AddDate(0, -r.IntN(48)-3, -r.IntN(28))
				end := start.AddDate(0, 1+r.IntN(8), r.IntN(28))
				s, e := start.Format(time.DateOnly), end.Format(time.DateOnly)
				p := Project{Lang: lang, Title: title, Slug: fmt.Sprintf("%s-%d", search.Slugify(title), base+int64(done+i)+1),
					Client: zwnj(txt.clients[r.IntN(len(txt.clients))]), StartedOn: &s, EndedOn: &e, Summary: body,
					BodyMD: md, BodyHTML: RenderBody(md), Featured: r.IntN(5) == 0, Status: content.Published,
					Links:     []Link{{Label: "Website", URL: fmt.Sprintf("https://example.com/%d", base+int64(done+i)+1)}},
					CreatedAt: now, UpdatedAt: now}
				switch x := r.IntN(10); {
				case x < 3:
					p.Status = content.Draft
				case x < 4:
					p.Status = content.Archived
				}
				for _, k := range r.Perm(len(txt.tags))[:2+r.IntN(2)] {
					p.Tags = append(p.Tags, zwnj(txt.tags[k]))
				}
				id, err := st.Insert(ctx, tx, p, 0)
				if err != nil {
					return err
				}
				if p.Status != content.Draft {
					if err := st.SetStatus(ctx, tx, id, p.Status, &end, now); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		done += batch
	}
	return done, nil
}
