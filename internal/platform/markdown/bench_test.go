package markdown

import (
	"fmt"
	"strings"
	"testing"
)

// persianPost is a realistic post of about size bytes: headings,
// paragraphs with emphasis, links and ZWNJ words, a list, a quote, a code
// block, a table and an image per section.
func persianPost(size int) string {
	var b strings.Builder
	para := "این یک متن آزمایشی است که می\u200cخواهیم با آن **نمایش\u200cگر** مارک\u200cداون را بسنجیم؛ " +
		"کتاب\u200cها و مقاله\u200cهای زیادی درباره\u200cی [طراحی وب](https://example.com/design) نوشته شده، " +
		"اما هنوز هم _خواندن_ متن راست\u200cبه\u200cچپ در سال ۱۴۰۵ چالش\u200cهایی دارد؟ "
	for i := 1; b.Len() < size; i++ {
		fmt.Fprintf(&b, "## بخش %d: نکته\u200cهای مهم\n\n", i)
		b.WriteString(strings.Repeat(para, 3) + "\n\n")
		b.WriteString("- مورد اول با `کد` کوتاه\n- مورد دوم و [پیوند داخلی](/posts/x)\n- [x] کار انجام\u200cشده\n\n")
		b.WriteString("> نقل قولی از یک نویسنده\u200cی ایرانی، با ~~خط خورده~~.\n\n")
		fmt.Fprintf(&b, "![تصویر %d](media:%d)\n\n", i, i)
		b.WriteString("```go\nfunc main() { fmt.Println(\"سلام\") }\n```\n\n")
		b.WriteString("| ستون | مقدار |\n|:--|--:|\n| قیمت | ۱۲۰٬۰۰۰ |\n| تعداد | ۳ |\n\n")
	}
	return b.String()
}

func BenchmarkRenderPersianPost20KB(b *testing.B) {
	src := persianPost(20 << 10)
	resolve := func(id int64) string { return fmt.Sprintf("/api/public/v1/media/%d", id) }
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		RenderWith(src, resolve)
	}
}
