"""Seeds for the `manifest` fuzz target: Strava's activities.csv in each language and era, as
tests/strava_exports.rs generates them (made here, no personal data). Each file starts with the
byte that picks the Strava reader (0).

    python3 tests/fuzz/strava_seeds.py OUT_DIR

The localised header, dates and decimal commas of English, Dutch, German, French, Italian,
Spanish and Portuguese; a language known to no table (read by its layout); the pre-2019 format;
translation-missing and HTML header cells; `#error#` and empty Filenames; a quoted description
over lines with a CRLF inside; a swim's distance with a thousands separator.
"""

import sys

LANGS = {
    "en": (
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
        "Distance,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance",
        ['"Sep 2, 2025, 10:30:00\u202fAM"', '"Sep 1, 2025, 6:05:00 PM"'],
        ["Run", "Swim"],
        ["10.02", '"1,600"'],
    ),
    "nl": (
        "Activiteits-ID,Datum van activiteit,Naam activiteit,Activiteitstype,"
        "Beschrijving van activiteit,Verstreken tijd,Afstand,Uitrusting voor activiteit,"
        "Bestandsnaam,Gewicht,Fietsgewicht,Verstreken tijd,Beweegtijd,Afstand",
        ["23 jun. 2017 15:52:12", "22 jun. 2017 07:00:00"],
        ["Hardloopsessie", "Fietsrit"],
        ['"4,73"', '"20,10"'],
    ),
    "de": (
        "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Aktivitätsbeschreibung,"
        "Verstrichene Zeit,Distanz,Aktivitätsausrüstung,Dateiname,Sportlergewicht,Fahrradgewicht,"
        "Verstrichene Zeit,Bewegungszeit,Distanz",
        ['"09.12.2022, 15:24:49"', '"08.12.2022, 07:00:00"'],
        ["Lauf", "Schwimmen"],
        ['"9,44"', '"1.600"'],
    ),
    "fr": (
        "ID de l'activité,Date de l'activité,Nom de l'activité,Type d'activité,"
        "Description de l'activité,Temps écoulé,Distance,Équipement de l'activité,Nom du fichier,"
        "Poids,Poids du vélo,Temps écoulé,Temps de déplacement,Distance",
        ["24 mai 2012 à 16:27:40", "23 mai 2012 à 07:00:00"],
        ["Course à pied", "Natation"],
        ['"5,00"', '"1 600"'],
    ),
    "it": (
        "ID attività,Data dell\u2019attività,Nome attività,Tipo attività,"
        "Descrizione dell\u2019attività,Tempo trascorso,Distanza,Attrezzatura attività,"
        "Nome del file,Peso,Peso bici,Tempo trascorso,Tempo in movimento,Distanza",
        ['"11 ago 2014, 16:27:28"', '"10 ago 2014, 07:00:00"'],
        ["Corsa", "Sci nordico"],
        ['"7,20"', '"12,00"'],
    ),
    "es": (
        "Id. de actividad,Fecha de la actividad,Nombre de la actividad,Tipo de actividad,"
        "Descripción de la actividad,Tiempo transcurrido,Distancia,Equipo de la actividad,"
        "Nombre del archivo,Peso,Peso de la bici,Tiempo transcurrido,Tiempo en movimiento,Distancia",
        ['"2 ago 2026, 12:20:32\u202fp.\u00a0m."', '"1 ago 2026, 7:00:00\u202fa.\u00a0m."'],
        ["Carrera", "Entrenamiento con pesas"],
        ['"6,30"', ""],
    ),
    "pt": (
        "ID da atividade,Data da atividade,Nome da atividade,Tipo de atividade,"
        "Descrição da atividade,Tempo decorrido,Distância,Equipamento da atividade,Nome do arquivo,"
        "Peso,Peso da bicicleta,Tempo decorrido,Tempo em movimento,Distância",
        ['"24 de mai. de 2012, 16:27:40"', '"23 de mai. de 2012, 07:00:00"'],
        ["Corrida", "Musculação"],
        ['"8,00"', ""],
    ),
    "unknown-language": (
        "Tunnus,Päivä,Nimi,Laji,Kuvaus,Kesto,Matka,Varuste,Tiedosto,Paino,Pyörä,Kesto,"
        "Liikkeellä,Matka",
        ['"2 jun. 2021, 10:00:00"', '"1 jun. 2021, 10:00:00"'],
        ["Juoksu", "Kuntosali"],
        ['"5,10"', ""],
    ),
}

EXTRA = (
    ',"<span class=""translation_missing"" title=""translation missing: '
    'en-US.lib.x.type"">Type</span>",translation missing: en-US.lib.export.x.start_time\n'
)

LEGACY = (
    "id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
    "1836776031,2018-09-12 15:02:23,Evening Run,Run,,783,3681.0,false,Pegasus,"
    "activities/1836776031.gpx\n"
    "1836776032,2018-09-13 06:00:00,Gym,Weight Training,,1800,,false,,\n"
)


def main(out):
    for code, (header, dates, types, distances) in LANGS.items():
        rows = [header + EXTRA]
        files = ["activities/4477.fit.gz", "#error#"]
        for i, (date, kind, distance) in enumerate(zip(dates, types, distances)):
            description = '"two\r\nlines\nhere"' if i == 0 else ""
            rows.append(
                f"{15000000000 + i},{date},Name {i},{kind},{description},1800,{distance},,"
                f"{files[i]},,,1800.0,1750.0,{5000.5 + i},,\n"
            )
        rows.append(f"15000000009,{dates[0]},Manual,{types[0]},,600,,,,,,600.0,600.0,,,\n")
        with open(f"{out}/strava-{code}.csv", "wb") as f:
            f.write(b"\x00" + "".join(rows).encode())
    with open(f"{out}/strava-2018.csv", "wb") as f:
        f.write(b"\x00" + LEGACY.encode())


if __name__ == "__main__":
    main(sys.argv[1])
