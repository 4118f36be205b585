// Package corpus makes a reproducible set of search documents and queries
// that look like a Persian and English blog: Persian words written the ways
// people write them (with and without ZWNJ, Arabic yeh and kaf now and
// then, Persian digits), English prose, word frequencies falling off like
// a natural language's (Zipf). The search benchmark (`pishkhan-bench
// search`, run by `make bench`) indexes and queries it.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// persian are common Persian words, most frequent first; "_" stands for
// the ZWNJ of the words written with one.
var persian = strings.Fields(strings.ReplaceAll(`و در به از که این را با است برای آن یک خود تا ها کرد بر هم نیز شده
	می_شود شود کند بود باید کار سال ما دیگر روز اما همه شد ایران تهران مردم بیشتر کشور زمان
	می_کند پیش هر دارد بسیار فرهنگ کتاب_ها خانه آموزش برنامه_نویسی برنامه طراحی وب_سایت سایت
	محصول مشتری فروشگاه اینترنتی خرید فروش قیمت تخفیف سفارش ارسال پرداخت کیفیت تجربه کاربری
	گزارش مقاله یادداشت راهنما آموزشی نکته_ها روش_ها ابزار نرم_افزار سخت_افزار داده پایگاه
	جستجو موتور هوش مصنوعی یادگیری ماشین شبکه امنیت رمز عبور حساب کاربر مدیریت پنل تیم پروژه
	نمونه_کار مشتریان همکاری قرارداد طرح ایده خلاقیت عکاسی ویدیو تصویر رنگ طراح گرافیک لوگو
	برند تبلیغات بازاریابی محتوا شبکه_های اجتماعی اینستاگرام تلگرام سئو گوگل رتبه بازدید ترافیک
	سرعت بهینه_سازی توسعه نسخه جدید به_روزرسانی امکانات ویژگی تغییرات رفع مشکل خطا پشتیبانی
	سوال پاسخ تماس ایمیل تلفن آدرس شیراز اصفهان تبریز مشهد کرج رشت یزد کرمان بهار تابستان پاییز
	زمستان نوروز جشن فرهنگی هنر موسیقی فیلم سینما تئاتر ادبیات شعر حافظ سعدی فردوسی مولوی
	تاریخ جغرافیا علم دانش دانشگاه دانشجو استاد مدرسه کودک خانواده سلامت ورزش فوتبال غذا
	آشپزی دستور پخت کباب قورمه_سبزی چای قهوه سفر گردشگری هتل بلیت پرواز قطار کوه دریا جنگل
	طبیعت محیط زیست انرژی خورشیدی اقتصاد بازار بورس سرمایه_گذاری بانک پول تومان ریال می_خواهم
	نمی_دانم کتابخانه نویسنده خواننده ترجمه زبان فارسی انگلیسی عربی واژه جمله متن نوشتن خواندن`, "_", "\u200c"))

// english are common English words, most frequent first.
var english = strings.Fields(`the of and to in a is that for it as was with be by on not he this are
	or his from at which but have an they you were her she there one all we their can has been if
	more when will would who so no out up into do any your what has time only new some could these
	two may first then other also like after most made over did many before must through back
	years where much way well down should because each just those people how too little state
	good very make world still own see men work long get here between both life being under never
	day same another know while last might great old year off come since against go came right
	used take three states himself few house use during without again place around however home
	small found thought went say part once general high upon school every business system
	design website store customer order payment shipping product price discount quality review
	guide tutorial tips search engine performance database cache server client team project
	portfolio photography video image color brand marketing content social media analytics
	release update feature security privacy password account dashboard report chart growth
	travel hotel flight mountain ocean forest nature energy solar market investment bank money`)

// synthetic makes n made-up words from syllables of the script (Persian
// letters or Latin ones), distinct from each other and from real: the long
// tail of a blog's vocabulary (names, terms, rarer words), which real
// frequent words alone would not have.
func synthetic(r *rand.Rand, n int, fa bool, real []string) []string {
	onsets := strings.Fields("b p t s j ch kh d r z sh f gh k g l m n v h")
	vowels := strings.Fields("a e i o u ai ou ee")
	if fa {
		onsets = strings.Fields("ب پ ت س ج چ خ د ر ز ش ف ق ک گ ل م ن و ه")
		vowels = strings.Fields("ا ی و ای او ا")
	}
	seen := map[string]bool{}
	for _, w := range real {
		seen[w] = true
	}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(onsets[r.IntN(len(onsets))])
			b.WriteString(vowels[r.IntN(len(vowels))])
		}
		if r.IntN(2) == 0 {
			b.WriteString(onsets[r.IntN(len(onsets))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// vocabularySize is how many words each language's documents draw from:
// the real frequent words, then made-up ones.
const vocabularySize = 30_000

// zipf picks index i of n with probability about 1/(i+1)^s.
type zipf struct{ z *rand.Zipf }

func newZipf(r *rand.Rand, n int) zipf { return zipf{rand.NewZipf(r, 1.07, 2, uint64(n-1))} }

func (z zipf) pick(words []string) string { return words[z.z.Uint64()] }

// vary writes a Persian word another way people write it: the ZWNJ as a
// space or dropped, Arabic yeh and kaf, Persian digits stay as they are.
func vary(r *rand.Rand, w string) string {
	switch n := r.IntN(20); {
	case n == 0 && strings.Contains(w, "\u200c"):
		return strings.ReplaceAll(w, "\u200c", "")
	case n == 1 && strings.Contains(w, "\u200c"):
		return strings.ReplaceAll(w, "\u200c", " ")
	case n == 2:
		return strings.NewReplacer("ی", "ي", "ک", "ك").Replace(w)
	}
	return w
}

var persianDigits = strings.NewReplacer("0", "۰", "1", "۱", "2", "۲", "3", "۳", "4", "۴", "5", "۵", "6", "۶", "7", "۷", "8", "۸", "9", "۹")

func sentence(r *rand.Rand, z zipf, words []string, fa bool, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := z.pick(words)
		if r.IntN(40) == 0 {
			// a year or a number now and then
			w = fmt.Sprint(1390 + r.IntN(20))
			if fa {
				w = persianDigits.Replace(w)
			} else {
				w = fmt.Sprint(2010 + r.IntN(20))
			}
		} else if fa {
			w = vary(r, w)
		}
		b.WriteString(w)
	}
	b.WriteString(".")
	return b.String()
}

// Docs makes n documents (ids 1..n, kinds "post" and one in five
// "project", scope Public, two in three in Persian), the same for the same
// seed. Bodies are 150 to 600 words in paragraphs.
func Docs(n int, seed uint64) []search.Doc {
	r := rand.New(rand.NewPCG(seed, 1))
	fav, env := vocabularies()
	zfa, zen := newZipf(r, len(fav)), newZipf(r, len(env))
	docs := make([]search.Doc, n)
	for i := range docs {
		fa := r.IntN(3) < 2
		words, z, lang := env, zen, "en"
		if fa {
			words, z, lang = fav, zfa, "fa"
		}
		kind := "post"
		if r.IntN(5) == 0 {
			kind = "project"
		}
		title := strings.TrimSuffix(sentence(r, z, words, fa, 4+r.IntN(5)), ".")
		var body strings.Builder
		for left := 150 + r.IntN(451); left > 0; {
			n := min(left, 8+r.IntN(18))
			left -= n
			body.WriteString(sentence(r, z, words, fa, n))
			if r.IntN(4) == 0 {
				body.WriteString("\n\n")
			} else {
				body.WriteByte(' ')
			}
		}
		var tags []string
		for range 1 + r.IntN(3) {
			tags = append(tags, words[r.IntN(1000)])
		}
		docs[i] = search.Doc{Kind: kind, ID: int64(i + 1), Scope: search.Public, Lang: lang,
			Slug: search.Slugify(title) + fmt.Sprint("-", i+1), Title: title, Body: body.String(), Tags: tags}
	}
	return docs
}

// vocabularies are the Persian and English words documents draw from,
// the same every time.
func vocabularies() (fa, en []string) {
	r := rand.New(rand.NewPCG(7, 7))
	fa = append(append([]string{}, persian...), synthetic(r, vocabularySize-len(persian), true, persian)...)
	en = append(append([]string{}, english...), synthetic(r, vocabularySize-len(english), false, english)...)
	return fa, en
}

// A Query is one query of a kind ("one common word", …).
type Query struct {
	Kind string
	search.Query
}

// QueryKinds are the kinds of Queries, in the order reports list them.
var QueryKinds = []string{
	"one frequent word", "one content word", "two words", "prefix (being typed)", "ZWNJ / Arabic letters",
	"typo (corrected)", "with lang filter", "no match",
}

// Queries makes n queries, cycling through QueryKinds, limit 20, the same
// for the same seed.
func Queries(n int, seed uint64) []Query {
	r := rand.New(rand.NewPCG(seed, 2))
	fav, env := vocabularies()
	// the words people search for: the real ones past the most frequent
	// (which are function words) and the first of the made-up ones
	all := append(append(append(append([]string{}, persian[40:]...), english[60:]...), fav[len(persian):len(persian)+2000]...),
		env[len(english):len(english)+2000]...)
	common := func() string {
		if r.IntN(2) == 0 {
			return persian[r.IntN(30)]
		}
		return english[r.IntN(30)]
	}
	rare := func() string { return all[r.IntN(len(all))] }
	long := func() string {
		for {
			if w := all[r.IntN(len(all))]; len([]rune(w)) >= 6 && !strings.Contains(w, "\u200c") {
				return w
			}
		}
	}
	out := make([]Query, n)
	for i := range out {
		k := QueryKinds[i%len(QueryKinds)]
		q := search.Query{Scope: search.Public, Limit: 20}
		switch k {
		case "one frequent word":
			q.Text = common() + " "
		case "one content word":
			q.Text = rare() + " "
		case "two words":
			q.Text = rare() + " " + common() + " "
		case "prefix (being typed)":
			w := []rune(long())
			q.Text = string(w[:len(w)-2])
		case "ZWNJ / Arabic letters":
			var zw []string
			for _, w := range persian {
				if strings.Contains(w, "\u200c") {
					zw = append(zw, w)
				}
			}
			w := zw[r.IntN(len(zw))]
			q.Text = strings.NewReplacer("\u200c", "", "ی", "ي", "ک", "ك").Replace(w) + " "
		case "typo (corrected)":
			w := []rune(long())
			w[2+r.IntN(len(w)-3)] = 'ж'
			q.Text = string(w) + " "
		case "with lang filter":
			q.Text, q.Lang = common()+" "+rare()+" ", "fa"
		case "no match":
			q.Text = fmt.Sprintf("zzq%dxx ", r.IntN(1000))
		}
		out[i] = Query{Kind: k, Query: q}
	}
	return out
}
