"""Language detection by function-word frequency."""

from __future__ import annotations

import pytest

from broadsheet.extract.language import detect_language

SAMPLES = {
    "en": "The council said on Monday that the new bridge would be open to traffic by the end "
    "of the year, and that the work had been finished ahead of time.",
    "es": "El ayuntamiento dijo el lunes que el nuevo puente estará abierto al tráfico antes del "
    "final del año y que las obras se terminaron antes de lo previsto.",
    "fr": "La mairie a annoncé lundi que le nouveau pont sera ouvert à la circulation avant la "
    "fin de l'année et que les travaux ont été terminés plus tôt que prévu.",
    "de": "Die Stadt hat am Montag mitgeteilt, dass die neue Brücke bis zum Ende des Jahres für "
    "den Verkehr geöffnet wird und dass die Arbeiten früher als geplant fertig sind.",
    "it": "Il comune ha detto lunedì che il nuovo ponte sarà aperto al traffico entro la fine "
    "dell'anno e che i lavori sono stati completati prima del previsto.",
    "pt": "A prefeitura disse na segunda-feira que a nova ponte estará aberta ao trânsito até o "
    "fim do ano e que as obras foram concluídas antes do previsto pela empresa.",
    "nl": "De gemeente heeft maandag gezegd dat de nieuwe brug voor het einde van het jaar open "
    "zal zijn voor het verkeer en dat het werk eerder klaar is dan gepland.",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_detects_supported_languages(language: str) -> None:
    assert detect_language(SAMPLES[language]) == language


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Bridge opens",
        "Kaupunki kertoi maanantaina että uusi silta avataan liikenteelle vuoden loppuun mennessä.",
        "1234 5678 —— !!!",
    ],
)
def test_unsure_is_und(text: str) -> None:
    assert detect_language(text) == "und"
