"""Words of one language that must not appear in a report written in the other (issue 14).

Common words that cannot be names or shared terms: English function words and
the English words the Indonesian report once leaked ("low", "high", "tonnes",
"hatched", "analyst"...), and Indonesian function words for the English report.
Words both languages use (model, data, total, domain, per) and words of names
the English report keeps (Kota Serang, Badan Usaha Milik Daerah, Pendapatan Asli
Daerah, Kerjasama Pemerintah dengan Badan Usaha) are left out.
"""

ENGLISH_WORDS = frozenset("""
the and of with this that these those from for which would should could will shall into onto
analyst analysts low high tonnes tonne value values input inputs change changes negative hatched proposed
source sources brief secondary estimate placeholder placeholders year years cost costs revenue
price prices quoted same customers both share wins less competing terminals drive site conditions contractor
lending rates follow scenarios pending survey between around below above not yet only including based about
rule thumb staff payroll when where while because than then there their they them its it's is are was were
been being have has had does did done without within after before each every other others such also
revised budget proposed services warehouse warehousing trucks maintenance insurance avoided sooner saved
""".split())  # noqa: SIM905 (a word list reads best as text)

INDONESIAN_WORDS = frozenset("""
yang untuk dari pada tidak adalah atau juga dalam oleh akan dapat harus sebagai bila jika karena
sehingga tahun biaya tarif perusahaan belum sudah masih hanya setelah sebelum
seluruhnya rata-rata nilai kini bersih hasil laporan kasus rencana opsi
""".split())  # noqa: SIM905 (a word list reads best as text)
