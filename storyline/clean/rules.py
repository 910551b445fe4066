"""Rules that recognise lines which are not part of an article, each with the reason it gives.

Rules match whole lines (comment forms, spam, sign-ups) or trailing fragments of a paragraph
(editor credits, share prompts glued to the last sentence). They are deliberately narrow: a
false removal loses a real paragraph, so each pattern needs the line to be short or to have the
exact shape of the boilerplate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that open a line saying when the page was published or updated, by language; metadata
# reads the date from such a line and the cleaner removes it.
PUBLICATION_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("published", "posted", "updated", "last updated"),
    # "Stand" counts only with its colon: "Stand 2021 lebten dort 900 Menschen" is a sentence.
    "de": ("veröffentlicht", "aktualisiert", "zuletzt aktualisiert", "stand:"),
    "fr": ("publié", "mis à jour", "mise à jour"),
    "es": ("publicado", "actualizado"),
    "ru": ("опубликовано", "обновлено"),
    "uk": ("опубліковано", "оновлено"),
    "pl": ("opublikowano", "zaktualizowano", "aktualizacja"),
}


def publication_opening(*languages: str) -> str:
    """Return the regex that opens a publication line in `languages`, up to where its date begins.

    An optional section name and bar ("Monde | "), the word, the word that may follow it ("on",
    "am", "le", "el") and a colon.
    """
    words = sorted(
        (w for lang in languages for w in PUBLICATION_WORDS[lang]), key=len, reverse=True
    )
    return (
        rf"^\W*(?:[^\W\d_][\w ]{{0,20}}\|\s*)?(?:{'|'.join(words)})(?:\s+(?:on|am|le|el))?\s*:?\s*"
    )


@dataclass(frozen=True)
class LineRule:
    """A whole-line pattern and the reason reported when it removes a line."""

    reason: str
    pattern: re.Pattern[str]
    max_words: int = 40


def _rule(reason: str, *patterns: str, max_words: int = 40) -> LineRule:
    return LineRule(reason, re.compile("|".join(patterns), re.IGNORECASE), max_words)


# What may follow a prompt on its line: up to three words ("Déjà abonné ? Se connecter"). A
# sentence that merely opens with the prompt's words goes on longer and is kept.
_TAIL = r"(\W+[^\W\d_]+){0,3}\W*$"


LINE_RULES: tuple[LineRule, ...] = (
    _rule(
        "comment form",
        r"^leave a (reply|comment)\b",
        r"^your email address will not be published",
        r"^required fields are marked",
        r"^(post|submit) (a )?comment\b",
        r"^(cancel reply|reply|comments?( \(\d+\))?|\d+ comments?|add a comment)\W*$",
        r"^save my name, email",
        r"^notify me of (new|follow-up) ",
        r"^you must be logged in to post a comment",
        r"^(name|email|website)\s*\*?\s*$",
        # German, French, Spanish, Russian, Ukrainian, Polish
        r"^(kommentar (schreiben|verfassen|hinzufügen)|(schreibe|hinterlasse) einen kommentar|"
        r"laisse[rz] un commentaire|ajouter un commentaire|laisser une réponse|"
        r"deja (un comentario|una respuesta)|dejar un comentario|escribe un comentario|"
        r"оставить комментарий|оставьте комментарий|добавить комментарий|"
        r"залишити коментар|залиште коментар|додати коментар|"
        rf"dodaj komentarz|zostaw komentarz|napisz komentarz){_TAIL}",
        r"^((ihre|deine) e-mail-adresse wird nicht veröffentlicht|"
        r"votre adresse (e-mail|de messagerie|électronique) ne sera pas publiée|"
        r"tu (dirección de )?correo electrónico no será publicad|"
        r"ваш (адрес )?(e-mail|email|электронной почты) не будет опубликован|"
        r"ваша (електронна )?адреса( електронної пошти)? не буде опублікована|"
        r"twój adres (e-mail|email) nie zostanie opublikowany)",
        r"^(erforderliche felder sind mit|les champs obligatoires sont indiqués|"
        r"los campos obligatorios están marcados|обязательные поля помечены|"
        r"обов'язкові поля позначені|wymagane pola są oznaczone)",
        r"^(\d+ )?(kommentare?|commentaires?|comentarios?|комментари[йия]|коментар[іів]{0,2}|"
        r"komentarz[ey]?)(\s*\(\d+\).*|\W*)$",
        r"^(antworten|répondre|responder|ответить|відповісти|odpowiedz)\W*$",
    ),
    _rule(
        "spam",
        r"^\W*(bitcoin|crypto|forex|btc|ethereum)\s*(trader|era|code|profit|revolution|"
        r"loophole|superstar|evolution|engine|system|prime|bank|up)\W*$",
        r"\b(click here|claim your|earn \$?\d+.{0,20} (a|per) (day|week)|work from home|"
        r"casino bonus|free spins|hot singles)\b",
        max_words=25,
    ),
    _rule(
        "advertising",
        r"^(advertisement|advertising|sponsored( content)?|ad|promoted|paid content|"
        r"story continues below( advertisement)?|continue reading below)\W*$",
        r"^(anzeige|werbung|gesponsert|weiter nach der (anzeige|werbung)|publicité|"
        r"(la )?suite après (la|cette) publicité|publicidad|реклама|reklama)\W*$",
        max_words=6,
    ),
    _rule(
        "sign-up prompt",
        r"^(sign up|subscribe|register|join)\b.{0,80}\b(newsletter|updates|inbox|free|"
        r"channel|alerts|briefing|account|subscription)\b",
        r"^(get|receive) (our|the) .{0,40}(newsletter|briefing|alerts)",
        # a newsletter's own listing: "The Sports Moment: A newsletter for only the biggest ..."
        r"^[^.!?:]{1,60}:\s*an? (\w+ )?newsletter (for|about|on|with|that)\b[^.!?]{0,60}$",
        r"^newsletters?\b(\W+[^\W\d_]+){0,4}\W*$",
        r"^(already a subscriber|log ?in|sign in)\b",
        r"^follow (us|\w[\w ]{0,30}) on (telegram|twitter|x|facebook|instagram|google news|"
        r"whatsapp|youtube)",
        r"\bsubscribe to our (telegram|youtube|whatsapp)",
        r"^(newsletter abonnieren|jetzt (kostenlos )?(abonnieren|registrieren)|abonnieren|"
        r"anmelden|einloggen|s'abonner|se connecter|déjà abonné|suscríbete|suscribirse|"
        rf"iniciar sesión|подписаться|войти|підписатися|увійти|subskrybuj|zaloguj się){_TAIL}",
        r"^(abonnieren sie|melden sie sich|abonnez-vous|inscrivez-vous|suscr[ií]bete|"
        r"suscr[ií]base|reg[ií]strate|подпишитесь|подписаться|подписывайтесь|підпишіться|"
        r"підписатися|підписуйтесь|zapisz się|zasubskrybuj)\b.{0,80}(newsletter|"
        r"lettre d'information|bolet[ií]n|рассылк|розсилк|канал|telegram|youtube|powiadomie)",
        r"\b((jetzt|hier) (kostenlos )?(unseren |den )?newsletter abonnieren|"
        r"(abonnez|inscrivez)-vous à (notre|la) newsletter|suscr[ií]bete a nuestro bolet[ií]n|"
        r"подпишитесь на (нашу )?рассылку|підпишіться на (нашу )?розсилку|"
        r"zapisz się do (naszego )?newslettera)\b",
        r"^(folgen sie uns|suivez-nous|s[ií]guenos|следите за нами|подписывайтесь на нас|"
        r"слідкуйте за нами|стежте за нами|obserwuj nas) (auf|sur|en|в|у|na) (telegram|"
        r"twitter|x|facebook|instagram|google news|whatsapp|youtube|viber)",
        max_words=30,
    ),
    _rule(
        "sign-up prompt",
        # the consent under a sign-up form runs longer than a prompt
        r"^by (submitting|entering|signing up|subscribing|clicking)\b.{0,60}\byou agree to\b",
        max_words=50,
    ),
    _rule(
        "share prompt",
        r"^(share|tweet|email|print|copy link|pin it)( (this|the) (article|story|page|post))?"
        r"( (on|via|to) [\w ]+)?\W*$",
        r"^share (let|to let) more people see it",
        r"^(share|follow) (on|via) (facebook|twitter|whatsapp|telegram|linkedin|email)",
        r"^((diesen )?artikel teilen|teilen sie diesen artikel|teilen|drucken|link kopieren|"
        r"partagez cet article|partager (cet |l')article|partager|imprimer|copier le lien|"
        r"compart(ir|e) (este|esta) (artículo|noticia)|compartir|imprimir|copiar (el )?enlace|"
        r"поделиться|поделитесь|распечатать|скопировать ссылку|поділитися|поділіться|"
        r"роздрукувати|скопіювати посилання|udostępnij|podziel się|drukuj|kopiuj link)"
        r"( (auf|über|sur|par|en|в|у|через|na|w)( \w+){0,3})?\W*$",
        # "Teilen: Facebook | Twitter | E-Mail", "Partager : Facebook Twitter LinkedIn"
        r"^(share|teilen|partager|compart(ir|e)( (este|esta) (artículo|noticia))?|поделиться|"
        r"поділитися|udostępnij)\s*:\s*((facebook|twitter|x|whatsapp|telegram|viber|linkedin|"
        r"e-?mail|vk|вконтакте|messenger)[\s|·,/]*)+$",
        max_words=12,
    ),
    _rule(
        "editor credit",
        r"^\(?(responsible editor|editor|edited by|editing by|reporting by|writing by|"
        r"compiled by|translated by|participat\w* (in the )?reporters?|additional reporting by)"
        r"\s*[:\-]",
        r"^\((editing|reporting|writing|additional reporting) by [^)]*\)\W*$",
        max_words=30,
    ),
    _rule(
        "publication line",
        rf"{publication_opening(*PUBLICATION_WORDS)}(\d|[^\W\d_]+\.? \d)",
        max_words=12,
    ),
    _rule("byline", r"^\W*by [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3}\W*$", max_words=6),
    _rule(
        "read-more link",
        r"^\W*(read more|related|see also|more on this|recommended|most read|watch|"
        r"read also|also read|more from)\s*[:>»|-]",
        r"^(read more|related (articles|stories|news)|you may also like|most popular|"
        r"trending now|more stories)\W*$",
        r"^\W*(lesen sie auch|lesen sie mehr|mehr zum thema|auch interessant|weiterlesen|"
        r"à lire aussi|a lire aussi|lire aussi|lire la suite|sur le même sujet|voir aussi|"
        r"lee también|leer más|te puede interesar|ver también|читайте также|читать далее|"
        r"смотрите также|читайте також|читати далі|дивіться також|czytaj też|czytaj także|"
        r"czytaj więcej|zobacz też|zobacz także)(\s*[:>»|-]|\W*$)",
        max_words=25,
    ),
    _rule(
        "site furniture",
        r"^(©|\(c\)|copyright\b).{0,120}$",
        r"\ball rights reserved\b",
        r"^(we use cookies|this (web)?site uses cookies|accept (all )?cookies)",
        r"^(wir (verwenden|nutzen) cookies|diese (website|webseite|seite) (verwendet|nutzt) "
        r"cookies|(alle )?cookies akzeptieren|nous utilisons des cookies|"
        r"ce site (web |internet )?utilise des cookies|accepter (les|tous les) cookies|"
        r"(utilizamos|usamos) cookies|este sitio web (utiliza|usa) cookies|"
        r"aceptar (todas las )?cookies|мы используем (файлы )?(cookie|куки)|"
        r"этот сайт использует (файлы )?(cookie|куки)|принять (все )?(cookie|куки)|"
        r"ми використовуємо (файли )?cookie|цей сайт використовує (файли )?cookie|"
        r"używamy (plików )?cookies|ta strona (internetowa )?(używa|korzysta z) (plików )?"
        r"cookies|akceptuj(ę)? (wszystkie )?cookies)",
        r"\b(alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|"
        r"все права защищены|(усі|всі) права захищені|wszelkie prawa zastrzeżone)\b",
        r"^(image|photo|picture) (source|credit|caption)\s*[:,]",
        r"^(skip to (main )?content|menu|search|home|back to top)\W*$",
        r"^(new\W+)?you can now listen to\b.{0,40}$",
        max_words=30,
    ),
)

# Trailing fragments glued to the end of a real paragraph, as wire copy does with credits.
TRAILING_RULES: tuple[LineRule, ...] = (
    _rule(
        "editor credit",
        r"\s*\((responsible editor|editor|edited by|editing by|reporting by|writing by|"
        r"participat\w* (in the )?reporters?|additional reporting by|compiled by)\b[^()]*\)\W*$",
    ),
    _rule(
        "share prompt",
        r"\s*\b(share (let|to let) more people see it|share this (article|story))\W*$",
    ),
)

# Google-style machine translation of Chinese renders the full stop "。" now and then as the
# word "Essence" between two sentences; it is debris, and the sentence boundary is real.
MT_SENTENCE_DEBRIS = re.compile(r"(?<=[a-z\d'\")]) Essence (?=[A-Z])")


def match_line_rule(line: str) -> str | None:
    """Return the reason a whole line is boilerplate, or None if it may be a real paragraph."""
    words = len(line.split())
    for rule in LINE_RULES:
        if words <= rule.max_words and rule.pattern.search(line):
            return rule.reason
    return None


def split_trailing_boilerplate(line: str) -> tuple[str, list[tuple[str, str]]]:
    """Return the line without trailing credits and share prompts, and the (fragment, reason) cut."""
    removed: list[tuple[str, str]] = []
    changed = True
    while changed:
        changed = False
        for rule in TRAILING_RULES:
            match = rule.pattern.search(line)
            if match and match.start() > 0:
                removed.insert(0, (match.group(0).strip(), rule.reason))
                line = line[: match.start()].rstrip()
                changed = True
    return line, removed
