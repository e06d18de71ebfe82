#!/usr/bin/env python3
"""Write countries.tsv and foreign_names.tsv: the main foreign communities of
Padova (rough shares of foreign residents) with their Belfiore Z-codes and
Italian names from python-codicefiscale's countries.json (MIT), and common
given names and surnames of each community in the spellings Italian offices
meet, ranked and weighted by Zipf's law.

Usage: python3 make_foreign.py ../../../../shared/reference/codicefiscale/countries_python-codicefiscale.json
"""
import json, sys

COMMUNITIES = [  # code, share of foreign residents (%), M, F, surnames
    ("Z129", 27, "Ion Gheorghe Andrei Mihai Alexandru Ionuț Florin Vasile Constantin Marian Adrian Cătălin Nicolae Daniel Ștefan",
                 "Maria Elena Ioana Andreea Mihaela Cristina Gabriela Alina Ana Daniela Florentina Nicoleta Roxana Georgiana",
                 "Popescu Ionescu Popa Pop Radu Dumitru Stan Stoica Gheorghe Munteanu Constantin Matei Ciobanu Lungu Rusu Ștefan Moldovan Dobre Barbu Neagu"),
    ("Z140", 9, "Ion Vasile Nicolae Sergiu Vitalie Igor Andrei Victor Alexandru Dumitru Veaceslav",
                "Tatiana Natalia Svetlana Olga Ana Elena Maria Ludmila Valentina Irina Galina",
                "Rusu Ceban Ciobanu Lungu Cebotari Țurcanu Sîrbu Cojocaru Rotaru Munteanu Bivol Popa Guțu"),
    ("Z210", 8, "Wei Jian Ming Jun Lei Hao Yong Qiang Bin Feng Jie",
                "Li Fang Mei Xiaoli Ying Hong Yan Jing Lan Xiu Hui",
                "Hu Zhou Chen Wang Zhang Li Liu Lin Huang Ye Xu Jin Zheng Wu Pan"),
    ("Z335", 7, "Chinedu Emeka Oluwaseun Osaro Friday Sunday Godwin Samuel Emmanuel Daniel Osas Kingsley",
                "Blessing Joy Precious Favour Esther Gift Mercy Faith Grace Patience Osas",
                "Okafor Okeke Adeyemi Ogunleye Eze Nwosu Osagie Igbinedion Okoro Uche Edo Omoregie Obi Idahosa"),
    ("Z100", 6, "Arben Ilir Gentian Artan Erion Besnik Fatmir Agron Klodian Ardit Dritan",
                "Elona Anila Jonida Blerina Ermira Valbona Mirela Lindita Eglantina Alketa Rudina",
                "Hoxha Shehu Leka Gjoka Kola Prifti Dervishi Çela Marku Krasniqi Dushku Meta Basha Hysa"),
    ("Z330", 6, "Mohamed Ahmed Youssef Rachid Said Abdelkader Mustapha Hassan Khalid Abdellah Karim Omar",
                "Fatima Khadija Aicha Naima Samira Zineb Malika Nadia Latifa Hafsa Souad",
                "El_Amrani Benali El_Idrissi Bouzid Chaoui El_Khatib Ait_Ali Haddad Bennani Alaoui El_Mansouri Tahiri Berrada"),
    ("Z249", 5, "Mohammad Abdul Rafiqul Shahidul Kamal Jahangir Mizanur Rashed Shafiqul Monir",
                "Nasrin Fatema Shirin Rokeya Salma Taslima Sharmin Rupa Nazma Farzana",
                "Hossain Rahman Islam Ahmed Uddin Akter Begum Miah Alam Khan Sarkar Chowdhury"),
    ("Z138", 5, "Oleksandr Serhiy Andriy Volodymyr Mykola Dmytro Vasyl Yuriy Ivan Petro",
                "Olena Nataliya Oksana Tetiana Iryna Svitlana Halyna Liudmyla Nadiya Yulia Mariya",
                "Kovalenko Shevchenko Bondarenko Tkachenko Kravchenko Melnyk Boyko Koval Oliynyk Lysenko Moroz Savchenko"),
    ("Z216", 4, "Jose Mark John_Paul Rodel Jun Romeo Ronald Michael Jericho Arnel",
                "Maria_Cristina Jocelyn Marites Rowena Lorna Marilou Maricel Rosalie Analyn Jennifer",
                "Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Torres Dela_Cruz De_Guzman Villanueva Ramos"),
    ("Z352", 3, "Mohamed Ahmed Ali Slim Hichem Karim Sami Walid Nabil Mehdi",
                "Amel Sonia Nadia Leila Rim Imen Hela Sarra Mouna",
                "Ben_Salah Trabelsi Gharbi Jebali Ben_Ali Hammami Bouazizi Mejri Dridi Sassi"),
    ("Z236", 2, "Muhammad Ali Imran Asif Tariq Bilal Usman Kashif Shahid Zubair",
                "Ayesha Fatima Sana Rabia Nazia Saima Bushra Hina",
                "Khan Ali Hussain Ahmed Butt Malik Iqbal Raza Shah Chaudhry"),
    ("Z343", 2, "Mamadou Moussa Cheikh Ibrahima Abdoulaye Modou Ousmane Babacar Serigne",
                "Fatou Aminata Awa Mariama Khady Ndeye Astou Coumba",
                "Diop Ndiaye Fall Sow Gueye Faye Diallo Sarr Ba Mbaye Seck"),
    ("Z222", 2, "Rajesh Harjeet Amarjit Gurpreet Harpreet Sukhwinder Manpreet Jaswinder",
                "Kaur Paramjit Harjit Simran Manjit Jaspreet Gurpreet",
                "Singh Kaur Kumar Sharma Sandhu Gill Sidhu Dhillon"),
    ("Z306", 2, "Jean Emmanuel Paul Serge Patrick Christian Hervé Blaise",
                "Marie Florence Christelle Sandrine Josiane Pauline Carine",
                "Nguema Mbarga Fotso Kamga Tchoua Essomba Ngono Fouda Tchinda"),
    ("Z148", 2, "Aleksandar Dragan Goran Zoran Bojan Nikola Dejan",
                "Marija Elena Biljana Snežana Suzana Vesna Jasmina",
                "Stojanovski Nikolovski Trajkovski Petrovski Jovanovski Ristovski Dimitrovski"),
    ("Z127", 2, "Piotr Krzysztof Tomasz Paweł Marcin Andrzej Michał",
                "Anna Katarzyna Małgorzata Agnieszka Joanna Ewa Magdalena",
                "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński"),
    ("Z602", 1, "João Carlos Paulo Lucas Rafael Thiago Marcos",
                "Ana Maria Juliana Fernanda Patrícia Camila Aline",
                "Silva Santos Oliveira Souza Pereira Lima Ferreira Costa"),
    ("Z611", 1, "José Luis Carlos Juan Jorge Miguel Víctor",
                "María Rosa Carmen Ana Luz Gladys Milagros",
                "Quispe Flores Sánchez Rodríguez García Huamán Mamani Ramírez"),
]

def zipf(ws):
    out, seen = [], set()
    for w in ws.split():
        w = w.replace("_", " ")
        if w not in seen:
            seen.add(w)
            out.append(w)
    return [(n, max(1, round(1000 / (i + 1)))) for i, n in enumerate(out)]

names = {c["code"]: c["name"] for c in json.load(open(sys.argv[1], encoding="utf-8")) if c["active"]}
# what offices often write instead of the official name
SHORT = {"Z210": "Cina", "Z148": "Macedonia", "Z611": "Perù", "Z140": "Repubblica Moldova", "Z216": "Filippine"}
with open("countries.tsv", "w", encoding="utf-8") as f:
    f.write("# code\tname\tweight\tother name — Belfiore Z-codes and names from python-codicefiscale countries.json (MIT); weight = rough % of Padova's foreign residents; other name = what offices often write (or -). Written by make_foreign.py.\n")
    for code, w, *_ in COMMUNITIES:
        f.write("%s\t%s\t%d\t%s\n" % (code, names[code], w, SHORT.get(code, "-")))
with open("foreign_names.tsv", "w", encoding="utf-8") as f:
    f.write("# country\tkind (M, F given name; S surname)\tname\tweight — hand-compiled common names, Zipf weights. Written by make_foreign.py.\n")
    for code, _, m, fe, s in COMMUNITIES:
        for kind, block in (("M", m), ("F", fe), ("S", s)):
            for n, w in zipf(block):
                f.write("%s\t%s\t%s\t%d\n" % (code, kind, n, w))
