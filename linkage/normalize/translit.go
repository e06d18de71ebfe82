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
