package normalize

// families lists common transliteration variants of names met in Italian
// welfare records, canonical spelling first. The table is deliberately
// small: it folds spellings of the same name, never distinct names
// (ALESSANDRO is not ALEXANDER).
var families = [][]string{
	{"MOHAMED", "MOHAMMED", "MOHAMMAD", "MOHAMAD", "MUHAMMAD", "MUHAMMED", "MUHAMED", "MUHAMAD", "MOHAMET", "MOHAMMET", "MOHAMEDE", "MOHD", "MAHAMED", "MOUHAMED", "MUHAMMET", "MOHAMMAED"},
	{"AHMED", "AHMAD", "AHMET", "AHMAT", "AHMEED"},
	{"MAHMOUD", "MAHMUD", "MAHMOOD", "MAHMOD"},
	{"MUSTAFA", "MUSTAPHA", "MOSTAFA", "MOSTAPHA", "MUSTAFAH"},
	{"YUSUF", "YOUSSEF", "YOUSEF", "YOUSUF", "YUSSUF", "JUSUF", "YOUSSOUF", "YOSSEF", "YUSEF", "YOUCEF"},
	{"IBRAHIM", "EBRAHIM", "IBRAHEEM", "IBRAHEM", "BRAHIM"},
	{"HASSAN", "HASAN", "HASSEN"},
	{"HUSSEIN", "HUSEIN", "HUSSAIN", "HUSAIN", "HOSSEIN", "HOUSSEIN", "HUSEYIN"},
	{"KHALED", "KHALID", "HALID", "KALED"},
	{"OMAR", "UMAR", "OMER"},
	{"ABDUL", "ABDOUL", "ABDEL"},
	{"ABDULLAH", "ABDALLAH", "ABDELLAH", "ABDULLA", "ABDALLA"},
	{"YOUNES", "YOUNESS", "YUNUS", "YOUNIS", "YUNES"},
	{"AISHA", "AICHA", "AYSHA", "AISHAH", "AYESHA", "AYSHE", "AICHE"},
	{"FATIMA", "FATMA", "FATIMAH", "FATEMA", "FATEMEH"},
	{"KHADIJA", "KHADIJAH", "HADIJA", "KHADIDJA", "KADIJA", "HADIDJA"},
	{"MARYAM", "MARIAM", "MERYEM", "MARYEM", "MERIEM"},
	{"ZAINAB", "ZEINAB", "ZAYNAB", "ZENAB"},
	{"ALEXANDER", "ALEKSANDR", "ALEXANDR", "ALEKSANDER", "OLEKSANDR", "ALEKSANDRE"},
	{"ALEXEI", "ALEKSEI", "ALEKSEY", "ALEXEY", "OLEKSII", "OLEKSIY"},
	{"SERGEI", "SERGEY", "SERHIY", "SERGIY", "SERHII", "SERGHEI"},
	{"ANDREI", "ANDREY", "ANDRIY", "ANDRII", "ANDRIJ"},
	{"DMITRI", "DMITRY", "DMITRIY", "DMYTRO", "DMITRII"},
	{"YURI", "YURIY", "IURII", "JURIJ", "YURII", "IURIE"},
	{"MIKHAIL", "MYKHAILO", "MIHAIL", "MICHAIL", "MYHAILO"},
	{"VLADIMIR", "VOLODYMYR", "WLADIMIR", "VLADIMIRO"},
	{"NATALIA", "NATALYA", "NATALIYA", "NATALIIA"},
	{"TATIANA", "TATYANA", "TETIANA", "TATJANA", "TETYANA"},
	{"YULIA", "YULIYA", "IULIIA", "IULIA", "JULIJA"},
	{"OKSANA", "OXANA"},
	{"ELENA", "OLENA"},
	{"SVETLANA", "SVITLANA"},
	{"IRINA", "IRYNA"},
	{"EKATERINA", "YEKATERINA", "KATERYNA", "EKATERINE"},
	{"YEVGENY", "EVGENY", "EVGENIY", "YEVHEN", "EVGENII"},
	{"NIKOLAI", "NIKOLAY", "MYKOLA", "NICOLAI"},
}

var translitMap = func() map[string]string {
	m := make(map[string]string)
	for _, fam := range families {
		for _, v := range fam {
			m[v] = fam[0]
		}
	}
	return m
}()

// translitFilter[n][c] has bit l set when a variant of length n starts
// with the letter 'A'+c and ends with 'A'+l: a cheap test that spares most
// names the map lookup.
var translitFilter = func() (t [translitMaxLen + 1][26]uint32) {
	for v := range translitMap {
		if len(v) > translitMaxLen || !isUpperLetter(v[0]) || !isUpperLetter(v[len(v)-1]) {
			// An invariant of the table above is broken.
			panic("normalize: transliteration variant not in A–Z or too long: " + v)
		}
		t[len(v)][v[0]-'A'] |= 1 << (v[len(v)-1] - 'A')
	}
	return t
}()

// translitMaxLen bounds the length of the variants.
const translitMaxLen = 16

func isUpperLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// translitCandidate reports whether part may be a variant of translitMap.
func translitCandidate(part string) bool {
	if part == "" || len(part) > translitMaxLen {
		return false
	}
	first, last := part[0]-'A', part[len(part)-1]-'A'
	return first < 26 && last < 26 && translitFilter[len(part)][first]&(1<<last) != 0
}
