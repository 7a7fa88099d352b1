"""High-precision patterns for what a message does, checked before the trained classifier.

Safety first: the distress lexicon is checked before anything else and wins over every other
reading. The other patterns only fire on forms that are hard to misread ("no idea" as the
whole message, "it's not about money", "what did other places do when ..."); everything
else is left to the classifier in `turn_reader.py`.
"""

from __future__ import annotations

import re

from bot.coaching.turns import TurnAct

_I = r"(?:i|i'm|im|i am|i've|ive|i have|i'd|id|me|myself)"
_CANT = r"(?:can't|cant|cannot|can not|couldn't|couldnt)"


def _any(*parts: str, flags: int = re.IGNORECASE) -> re.Pattern:
    """One pattern from alternatives written one per line (easier to read and review)."""
    return re.compile("|".join(f"(?:{p})" for p in parts), flags)


# A leader's own exhaustion, thoughts of leaving, sleeplessness, sickness absence, hopelessness
# or harm to self. Someone else resigning ("the chair resigned") is not distress.
DISTRESS = _any(
    r"\bexhaust(?:ed|ion|ing)\b(?! (?:all |every |the |our |my |other )*(?:options|avenues|routes|"
    r"possibilities|ideas|goodwill|budget|funding|money|resources|alternatives))",
    r"(?<!\bnot )(?<!\bno )\bburn(?:ed|t|ing)?[ -]?out\b",
    r"\brunning on (?:empty|fumes)\b",
    rf"\b(?:not|barely|hardly) coping\b|\b{_CANT} cope\b|\bstruggling to cope\b",
    r"\b(?:end|edge) of my (?:tether|rope)\b|\bbreaking point\b",
    r"\b(?:i'm|im|i am|i feel|feeling) (?:completely |totally |just |so )?"
    r"(?:falling apart|broken|done in|at rock bottom|overwhelmed|drowning|desperate|hopeless|"
    r"worthless|numb)\b",
    r"\bnervous breakdown\b|\bpanic attacks?\b|\banxiety attacks?\b",
    r"\b(?:i'?m|im|i am|i feel|feeling|i've been|ive been) (?:so |completely |totally |utterly |"
    r"absolutely |just |really |very )?(?:knackered|shattered|worn out|wiped out|frazzled|"
    r"depressed)\b|\b(?:feeling|feel) (?:really |so |very |a bit |quite )?low\b(?! on)",
    r"\b(?:in|into|to) tears\b|\b(?:i|i've|ive|been) (?:keep )?(?:crying|cried)\b",
    # thinking of leaving the job
    rf"\b{_I}\b[^.!?\n]{{0,40}}\b(?:quit|quitting|resign|resigning|jack(?:ing)? it in|"
    r"pack(?:ing)? it in|walk(?:ing)? away from (?:it all|this job|my job|the job)|"
    r"leave my job|leaving my job|give up my job|giving up my job)\b",
    r"\b(?:thinking|thought|think|considering) (?:of |about )?(?:quitting|resigning|jacking it in|"
    r"packing it in|walking away|leaving (?:my|the|this) (?:job|post|role))\b",
    r"\b(?:thinking|thought|considering|think) (?:of |about )?"
    r"(?:leaving|quitting|walking away from) "
    r"(?:the |my |this |public )?(?:nhs|police|force|council|service|sector|profession|career|"
    r"social work|nursing|it all|everything)\b",
    r"\bhand(?:ing|ed)? (?:in )?my (?:notice|resignation)\b|\bmy resignation\b",
    r"\bresignation letter\b",
    r"\bjack(?:ing)? (?:it )?(?:all )?in\b|\bpack(?:ing)? it all in\b",
    r"\b(?:broke|breaking|break) me\b|\bi'?(?:ll| will) break\b|\bon the edge\b",
    r"\b(?:thoughts|thinking|thought) (?:of|about) ending it\b",
    # sleep
    rf"\b(?:not|barely|hardly) (?:really )?(?:been )?sleeping\b|\b{_CANT} sleep\b",
    r"\b(?:haven't|havent|have not) (?:been )?slept\b|\blying awake\b|\bsleepless\b",
    r"\bawake (?:at|till|until) [1-5]\b|\bno sleep\b|\binsomnia\b",
    # sickness absence
    rf"\b(?:{_I}|been|got|getting|get|was) signed off\b|^signed off\b",
    r"\bsigned off (?:sick|with (?:stress|anxiety|depression)|for (?:a|two|three|four|\d+) "
    r"(?:week|month))",
    r"\b(?:off|on) sick(?:ness)? (?:leave )?with (?:stress|anxiety|depression)\b",
    r"\bstress leave\b|\bsick note\b|\bfit note\b",
    # no way through
    rf"\b{_CANT} see (?:a|any) way (?:through|out|forward)\b|\bno way out\b",
    rf"\b{_CANT} (?:go on|do this any ?more|take (?:it|this|much more|any more))\b",
    r"\bwhat'?s the point (?:of|in) (?:anything|going on|carrying on|any of it)\b",
    r"\b(?:don't|dont|do not|can't|cant) see the point (?:of|in) (?:anything|any of it|going on)",
    # harm to self
    # first person only: "suicide prevention" and "self-harm referrals" are public health work
    rf"\bkill(?:ing)? myself\b|\bsuicidal\b|\b{_I}\b[^.!?\n]{{0,30}}\b(?:suicid|self[- ]?harm)",
    r"\bthoughts? (?:of|about) (?:suicide|self[- ]?harm)",
    r"\bhurt(?:ing)? myself\b|\bharm(?:ing)? myself\b",
    r"\bend (?:it all|my life)\b|\bbetter off without me\b",
    r"\b(?:don't|dont|do not) want to (?:be here|wake up|live) any ?more\b",
    r"\bnot want(?:ing)? to be here\b",
    r"\bwant(?:ed)? to die\b|\bwish (?:i was|i were|i'd) (?:dead|not here|never born)\b",
    rf"\btake my (?:own )?life\b|\b{_I}\b[^.!?\n]{{0,30}}\boverdos",
    r"\bno (?:point|reason) (?:in )?living\b",
    # said after the freeze at cc35f22 (safety wording only; both eval sets re-checked)
    r"\bmental breakdown\b|\bnothing left to give\b|\bat my (?:absolute )?limit\b",
    r"\boff (?:work )?with stress\b|\bcan'?t stop crying\b",
    # said after the second freeze (5841193): a failure to everyone, "done", not myself
    r"\bfailing (?:everyone|everybody|at everything|my (?:family|kids|children|team))\b",
    r"\b(?:i'?m|im|i am|i feel|feel|feeling) (?:like )?"
    r"(?:a (?:complete |total )?failure|useless)\b",
    r"\b(?:just |i just |i )feel (?:completely |totally |so )?done\b",
    r"(?:^|[.!?]\s*)what'?s the point(?:\s*[.!?,]|$)",
    r"\b(?:i'?ve|ive|i have) not been myself\b|\b(?:i'?m|im|i am) not myself\b|"
    r"\bnot (?:been )?the same person since\b",
    r"\b(?:worried|concerned|worries) about me\b",
    r"\bdread(?:ing)? (?:going (?:in|into work|to work)|work|mondays?|every (?:day|morning)|"
    r"the (?:week|morning|mornings))\b",
    r"\b(?:not|only|barely|hardly|never) (?:slept|sleeping|getting|had|get) (?:more than )?"
    r"(?:a |an )?(?:few|couple of|\d+|one|two|three|four|five) hours?\b",
    # said after the third freeze (6958499): the leader's own state in plain words
    r"\b(?:i'?m|im|i am|i feel|i'?ve been feeling|i have been feeling|feeling|i'?ve been|"
    r"i have been)(?: really| so| just| completely| a bit| quite| genuinely)? "
    r"(?:miserable|wretched|empty|fragile|shaky|in pieces|"
    r"a (?:wreck|mess)|not (?:ok|okay|alright|all right)\b(?! with)|"
    r"not in a (?:good|great|great) (?:place|way|headspace)|in a (?:bad|dark|really bad) "
    r"(?:place|way|headspace)|coming apart|falling apart|falling to pieces|losing it|"
    r"losing my mind|going under|sinking|trapped|alone with (?:this|it all))",
    r"\b(?:bad|dark|rough|awful|horrible|terrible) (?:week|time|place|patch|day|month) "
    r"in my head\b|\bmy head(?:'s| is| has been) (?:a mess|all over the place|not right|gone|"
    r"not in a good place)\b|\bmy mental health\b",
    r"\b(?:break|breaking|broke) down (?:in front of|at|during|in|on)\b|"
    r"\bgoing to (?:break down|fall apart|crack)\b",
    r"\b(?:looking at|scrolling|applying for) (?:other )?job (?:ads|adverts|sites|listings)\b|"
    r"\banything that isn'?t this\b",
    r"\b(?:i'?m|im|i am) the problem\b|\b(?:it'?s|its|it was|it is) (?:all )?my fault\b|"
    r"\b(?:i'?m|im|i am) (?:not good enough|useless at this|"
    r"failing at (?:this|everything|it all))\b|"
    r"\b{cant} do this (?:job|any ?more)\b".replace("{cant}", _CANT),
    r"\b(?:is|if) (?:this|the|my) job (?:is )?(?:really )?worth it\b",
    # said after the fourth freeze (fb40d13)
    r"\b(?:i'?m|im|i am|i feel|i'?m feeling) (?:still )?not (?:right|well in myself)\b",
    r"\b(?:drinks?|drinking|wine)\b[^.!?]{0,40}\b(?:every|most) nights?\b|"
    r"\bjust to (?:switch off|cope|get through (?:the|it)|get to sleep)\b",
    r"\bno way through (?:this|it)\b|\b(?:can'?t|cannot) see it any ?more\b",
    r"\b(?:feel|feeling) like (?:a |an )?(?:complete |total |utter )?(?:fraud|imposter|impostor)\b|"
    r"\bwaiting to be found out\b",
    r"^(?:honestly |tbh |if i'?m honest )?(?:i'?m |im |i am |just |really )?struggling"
    r"(?: (?:tbh|to be honest|honestly|if i'?m honest|atm|right now|at the moment|mate|a bit|"
    r"a lot))*[\s.!?,]*$",
    r"\b(?:i'?m|im|i am) (?:really |genuinely )?struggling(?:\s*[.!?,]|$| (?:a lot|badly|mentally|"
    r"with everything|at the moment|right now|to keep going|to get out of bed))",
)

# Someone else's exhaustion or sick leave, said by the leader ("my deputy is exhausted",
# "the nurse lead is off sick with stress"): their reflection on the work, not their distress.
_PEOPLE = (
    r"(?:he|she|they|her|his|their|everyone|everybody|"
    r"(?:my|our|the|a|one of (?:my|our|the)) (?:\w+ )?(?:deputy|team|colleagues?|manager|boss|"
    r"chair|staff|director|lead|nurses?|gps?|workers?|officers?|pa|head teacher|headteacher|"
    r"matron|social workers?|"
    r"members?|chief exec|exec|councillors?))"
)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|myself)\b", re.IGNORECASE)
_SOMEONE_ELSE = re.compile(rf"\b{_PEOPLE}\b", re.IGNORECASE)


def _someone_elses(text: str, match: re.Match) -> bool:
    """The distress words sit in a sentence about another person, with no I or me in it."""
    clause = _clause_around(text, match)
    return bool(_SOMEONE_ELSE.search(clause)) and not _FIRST_PERSON.search(clause)


_CLAUSE_BREAK = re.compile(r"[.!?;,\n]|\s(?:so|and|but|because|while)\s", re.IGNORECASE)


def _clause_around(text: str, match: re.Match) -> str:
    """The clause the match sits in: "my deputy's off sick with stress" out of "…, so I've
    been covering her meetings"."""
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, match.start())]
    after = _CLAUSE_BREAK.search(text, match.end())
    return text[max(starts, default=0) : after.start() if after else len(text)]


def own_distress(text: str) -> bool:
    """The distress lexicon speaks about the leader themself (any match not about another)."""
    text = normalise(text)
    return any(not _someone_elses(text, m) for m in DISTRESS.finditer(text))


def about_someone_else(text: str) -> bool:
    """The lexicon matched, but only about other people."""
    text = normalise(text)
    matches = list(DISTRESS.finditer(text))
    return bool(matches) and all(_someone_elses(text, m) for m in matches)


STOP = re.compile(
    r"^(?:please )?(?:skip|stop|not now|cancel|quit|end|later|maybe later|no thanks|leave it|"
    r"enough|pause|exit|done for (?:now|today)|can we stop|let'?s stop|stop please|"
    r"skip (?:this|this week|it|today)|not (?:this|today|this week)|"
    r"no time(?: today| this week)?|"
    r"(?:can|could) we (?:do|leave) (?:this|it) (?:later|another time|next week)|"
    r"i(?:'ll| will) do (?:this|it) later|another time|not in the mood|i(?:'d| would) rather not)"
    r"(?: thanks| thank you| please| mate)?$",
    re.IGNORECASE,
)

STOP_PHRASE = _any(
    r"\blet'?s (?:leave it|stop|end|pause|finish)\b",
    r"\b(?:can|could) we (?:stop|end|finish|pause|leave it|pick this up)\b",
    r"\bend (?:this|it|the reflection)\b|\bstop (?:this|the reflection|now)\b",
    r"\benough for (?:today|now|this week)\b|\bi (?:need|have) to go\b",
    r"\b(?:skip|pause) (?:this|it|today|this week)\b|\bi want to stop\b",
    r"\bthat'?s (?:all|it|enough) for (?:now|today|this week)\b|\bdone for (?:now|today)\b",
    r"\bno more questions\b|\bcall it a day\b",
    r"\bwrap (?:it |this |things )?up\b|\bleave it there\b|\bthat'?s all from me\b",
    r"\bend (?:the )?session\b|"
    r"\bpass on (?:this|this week'?s|the|today'?s) (?:one|reflection|week)\b",
)
STOP_MAX_CHARS = 80  # a longer message that says "let's stop" is about something else

_FILLER = (
    r"(?:honestly|tbh|to be honest|um+|erm+|hmm+|well|i mean|sorry|ah|oh|genuinely|no|nah|just)"
)
UNCERTAIN = re.compile(
    rf"^(?:{_FILLER}[ ,]*)*(?:i )?(?:really |honestly |genuinely )?(?:"
    r"(?:don't|dont|do not|didn't|dunno|don't really) know|dunno|idk|no idea|not sure|unsure|"
    r"no clue|not a clue|haven't a clue|havent a clue|haven't got a clue|"
    r"nothing(?: really| much| comes to mind| springs to mind)?|not really|nope|"
    r"can't think of anything|cant think of anything|can't say|hard to say|difficult to say|"
    r"who knows|no comment|pass|not much|no thoughts|"
    r"(?:nothing|not much|not a lot) (?:much |else |new )?to (?:report|say|add|tell)|"
    r"i'?m not sure|i have no idea|i've no idea|not a scooby|search me|beats me|"
    r"(?:i )?(?:haven't|havent) (?:thought about it|got an answer)|drawing a blank|blank|"
    r"\?+|\.\.\.+|meh|eh|no|maybe|possibly|perhaps|sort of|kind of|"
    r"same as (?:usual|ever|always)|as before)"
    r"(?:[ ,]*(?:really|tbh|to be honest|honestly|yet|at the moment|right now|atm|sorry|"
    r"mate|tbf|to be fair|anymore|any more))*$",
    re.IGNORECASE,
)

# "I don't know what I want to happen": not knowing, said about their own wishes or next move.
UNCERTAIN_ABOUT = re.compile(
    rf"^(?:{_FILLER}[ ,]*)*(?:i )?(?:really |honestly )?(?:(?:don't|dont|do not) know|"
    r"(?:i'?m )?not sure|(?:i'?m )?unsure) (?:what|how|where) (?:(?:i|we) (?:want|feel|think|"
    r"should do|can do)|to (?:do|think|feel|say))"
    r"(?: to happen| about (?:it|this|that)| next| now)?$",
    re.IGNORECASE,
)

# "It's not about money at all": the leader says what their last words were *not* about.
CORRECTION = re.compile(
    r"(?:^|[.!?]\s+|\bno[,.]?\s+|\bbut\s+)"
    r"(?:it'?s|its|it is|this is|this isn't|it isn't|that'?s|that is|that isn't|"
    r"the problem is|the issue is|the point is|it was)\s+"
    r"(?:really |actually |honestly |just |not really )?"
    r"(?:not|never|isn't|isnt|wasn't|wasnt)\s+"
    r"(?:really |actually |honestly |just |even |so much )?"
    r"(?:about|to do with|down to|a|an|the)\s+(?P<what>[^.,;!?\n]{2,60}?)"
    r"(?=\s+(?:at all|it'?s|its|it is|really|but|though|anymore|any more)\b|[.,;!?\n]|$)",
    re.IGNORECASE,
)
CORRECTION_SHORT = re.compile(
    r"^(?:no|nope|wait|actually|sorry)?[,.\s-]*(?:no[,.\s-]+)?not "
    r"(?!sure\b|bad\b|great\b|good\b|much\b|many\b|a lot\b|too\b|quite\b|yet\b|now\b|today\b|"
    r"this week\b|really[,.!?\s]*(?:no\b|$))(?:really |actually |so much )?"
    r"(?:about |to do with )?(?P<what>(?:the |a |an )?[^.,;!?\n-]{2,40}?)\s*[.,;!?\n-]",
    re.IGNORECASE,
)
CORRECTION_SWAP = re.compile(
    r"\b(?:isn't|isnt|is not|wasn't|wasnt|not)\s+(?:really |actually |so much |just )?"
    r"(?:about |to do with )?(?P<what>(?:the |a |an )?[^.,;!?\n]{2,40}?)\s*[,;-]+\s*"
    r"(?:i think )?(?:it'?s|its|it is|it was|more|just|but)\b",
    re.IGNORECASE,
)
CORRECTION_PLAIN = _any(
    r"\byou'?re reading too much into\b|\bthat'?s not (?:really |quite )?(?:it|what i)\b",
    r"\bi don'?t think it'?s (?:a |an |the |about )?[^.,;!?]{2,40}, i think\b",
    r"^(?:no[,.]?\s+)?(?:that'?s|that is|you'?ve|you have|you'?re|you are)\s+"
    r"(?:not (?:it|what i (?:meant|said|mean))|got it wrong|got the wrong end|misunderstood|"
    r"missed the point|missing the point|wrong|not (?:quite )?right)",
    r"\byou(?:'ve| have)? misunderstood\b|\bthat'?s not what i (?:meant|said|mean)\b",
    r"\bwrong end of the stick\b|\bi didn'?t say (?:that|it was)\b|\byou'?re missing the point\b",
    r"\bnot what i (?:meant|was saying)\b|\bthat'?s not (?:the|my) (?:point|issue|problem)\b",
    r"\bi said [\w-]+(?: [\w-]+)?,? not\b|\b(?:you'?ve|you have) misread\b|\bmisread me\b",
    r"^(?:no[,.]?\s+|sorry[,.]?\s+)*i (?:didn'?t|did not|never) say\b|"
    r"^(?:no[,.]?\s+)*i (?:wasn'?t|was not) saying\b",
    r"^no[,.!]?\s+no\b",
)

# How a correction of the coach opens: "no, I meant…", "that isn't it", "actually, it's…".
# The classifier alone reads a correction only after one of these: "the chief exec hasn't
# given us the go-ahead" is negative, but it corrects nobody.
CORRECTION_OPENER = re.compile(
    r"^(?:no|nope|nah|not|wait|actually|sorry|hang on|hmm+|well)\b|"
    r"^(?:that|this|it)(?:'s| is|s)? (?:not|isn'?t|wasn'?t)\b|"
    r"^(?:that|this|it) (?:isn'?t|wasn'?t)\b|"
    r"^(?:i|you)(?:'ve| have)? (?:meant|mean|said|misread|misunderstood|got)\b",
    re.IGNORECASE,
)


def correction_opens(text: str) -> bool:
    return bool(CORRECTION_OPENER.search(normalise(text)))


_PLACES = (
    r"(?:places?|areas?|councils?|systems?|partnerships?|teams?|icbs?|trusts?|forces?|"
    r"boroughs?|authorities|organisations?|people|leaders|pioneers?|sites?|localities|regions)"
)
_NAMED = r"(?:barnet|bradford|north west london|nw london|the pioneers?|islington|others?)"
EVIDENCE_REQUEST = _any(
    r"\bwhat (?:has |have )?helped (?:elsewhere|other|in other|anywhere|others)\b",
    rf"\bwhat (?:did|do|have|has|would) (?:other|another|any other) {_PLACES}\b",
    r"\bwhat (?:worked|works|has worked) (?:elsewhere|for others|in other|anywhere else)\b",
    r"\b(?:has|have|did) (?:anyone|anybody|anywhere|any other \w+) (?:else )?"
    r"(?:done|tried|managed|cracked|solved|dealt with|tackled|got|found|had|faced)\b",
    r"\b(?:any|got any|are there any|is there any|do you have any|can you find|find me|show me)"
    r"\s+(?:good |real )?(?:examples?|evidence|case stud(?:y|ies)|research|learning|stories)\b",
    r"\bwhat does the (?:evidence|research|learning) say\b",
    rf"\bwhat did (?:{_NAMED}|the local vision places?) do\b",
    rf"\bhow did (?:other|{_NAMED}) (?:places )?(?:do|handle|manage|deal|approach|get)\b",
    r"\bexamples? (?:of|from) (?:other|elsewhere|places)\b|\bwhat helped\b",
    r"\blooking for (?:examples|evidence|case studies|learning|research)\b",
    r"\b(?:anything|something) (?:in|from) the (?:evidence|research|library)\b",
    r"\b(?:where|who) else has\b",
    r"\belsewhere\b.{0,40}\?",
    rf"\bhow (?:have|did|do|are) other {_PLACES}\b",
    r"\b(?:has|have) any(?:one|body)(?: else)?\s*\?+\s*$",
    r"\b(?:do you know|know of|heard of|is there) (?:anywhere|any (?:places?|areas?|councils?|"
    r"systems?|icbs?|trusts?))\b",
    r"\bother \w+s (?:have|had) (?:hit|had|faced|found|tried|done)\b",
    r"\bwas there (?:an?|any) (?:proper |formal |independent )?evaluation\b",
)

ADVICE_REQUEST = _any(
    r"\bwhat (?:should|shall|do|would|can|could) (?:i|we) do\b|\bwhat would you do\b",
    r"\bhow would you (?:approach|handle|deal|tackle|go about|play|manage)\b",
    r"\bwhat (?:do|would) you (?:suggest|recommend|advise|think i should|reckon i should)\b",
    r"\b(?:any|got any|give me some|some) (?:advice|tips|suggestions|pointers|ideas)\b",
    r"\b(?:can|could|would) you (?:advise|give me (?:some )?advice|tell me what to do|"
    r"help me decide|suggest|recommend)\b",
    r"\btell me what to do\b|\bjust tell me\b|\bwhat'?s (?:the|your) advice\b",
    r"\badvi[cs]e (?:me|please)\b|^what do you (?:think|reckon)\W*$",
    r"^(?:so |ok |okay |but |honestly |genuinely )?(?:how (?:do|should|can|would) (?:i|we)|"
    r"should i|should we|is it better to|what'?s the best way to|how best (?:to|do i))\b"
    r"[^?]*\??\s*$",
)

_NOT_A_PLAN = (
    r"(?!be\b|admit|say\b(?! no\b)|need|have to|probably|lose|never|not\b|"
    r"see\b|think about|try and think|cry|scream|go mad)"
)
COMMITMENT = re.compile(
    r"(?:^|[.!?;:]\s+|\n|\s[-–]\s)(?:(?:so|and|then|ok(?:ay)?|right|yes|yeah|fine|alright|"
    r"next week|first thing|plan|"
    r"this week|tomorrow|on \w+day|by \w+day|before (?:the|our|next) [\w ]{2,20}|i think),?\s+)*"
    r"(?:i will|i'll|ill|i am going to|i'm going to|im going to|i'm gonna|im gonna|gonna|"
    r"i plan to|i intend to|i commit to|my commitment is|my plan is|i've decided to|"
    r"i'll try to|i want to try|going to|i aim to|my action is|will)\s+" + _NOT_A_PLAN,
    re.IGNORECASE,
)

INSIGHT = _any(
    r"\bi(?:'ve| have)? (?:just |suddenly |finally )?(?:realis|realiz)",
    r"(?:^|\b(?:just|suddenly|finally|now|and)\s)(?:realis|realiz)(?:e|ed|ing)\b",
    r"\b(?:it|that|this|the \w+) (?:really )?worked\b",
    r"\bit (?:struck|hit|dawned on) me\b|\bpenny (?:has )?dropped\b|\blight ?bulb\b",
    r"\bnow i (?:see|get it|understand)\b|\bmakes sense now\b|\bi see it now\b",
    r"\bi hadn'?t (?:realised|realized|thought of|seen|noticed)\b|\bnever thought of it\b",
    r"\bwhat i'?ve (?:learnt|learned)\b|\bi(?:'ve| have) learn(?:t|ed)\b",
    r"\bthe real (?:issue|problem) is\b",
    r"\bit worked\b|\bwent (?:really |so |surprisingly )?well\b",
    r"\bwe (?:finally|actually) (?:did|got|managed)\b|\bbreakthrough\b",
    r"\ba (?:real |big |small )?win\b|^(?:small |big |a )?win\b",
    r"\bgood news\b|\bsomething clicked\b",
    r"\bi (?:get|see) it now\b|\bi see now\b|\bi(?:'ve| have) noticed\b|\bpenny'?s dropped\b",
    r"\breally pleased\b|\bhumbling\b|\bworked (?:brilliantly|really well)\b|\bfinally got\b",
)

SMALL_TALK = re.compile(
    r"^(?:hi|hello|hey|hiya|yo|morning|good (?:morning|afternoon|evening)|thanks|thank you|"
    r"cheers|ta|how are you|how'?s it going|you ok|lol|haha+|nice|cool|great|bye|goodbye|"
    r"see you|have a (?:good|nice) (?:day|weekend|week))"
    r"(?:[ ,!.]*(?:ripple|mate|bot|there|all|again|very much|so much|then|today))*[ !.?🙂😊👍]*$",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    text = (text or "").replace("’", "'").replace("‘", "'").strip()
    return re.sub(r"\s+", " ", text)


def corrected_subject(text: str) -> str | None:
    """What the leader says it is *not* about ("money"), when it can be read."""
    text = normalise(text)
    match = CORRECTION.search(text) or CORRECTION_SWAP.search(text) or CORRECTION_SHORT.search(text)
    if not match:
        return None
    what = match.group("what").strip()
    what = re.sub(r"^(?:about|the|a|an|really|just)\s+", "", what, flags=re.I)
    what = re.sub(r"\s+(?:problem|issue|thing)$", "", what, flags=re.I)
    return what.strip(" '\"") or None


def _all_uncertain(bare: str) -> bool:
    """ "Dunno. Maybe. Not sure": every fragment of a short message is a non-answer."""
    fragments = [f.strip() for f in re.split(r"[.!?,;]+", bare) if f.strip()]
    return bool(fragments) and len(bare) <= 80 and all(UNCERTAIN.match(f) for f in fragments)


def pattern_act(text: str) -> TurnAct | None:
    """The act a pattern is sure of, or None to leave it to the classifier."""
    text = normalise(text)
    bare = text.strip(" .!?,;:").lower()
    if own_distress(text):
        return TurnAct.DISTRESS
    if STOP.match(bare) or (len(bare) <= STOP_MAX_CHARS and STOP_PHRASE.search(bare)):
        return TurnAct.STOP
    if UNCERTAIN.match(bare) or UNCERTAIN_ABOUT.match(bare) or not bare or _all_uncertain(bare):
        return TurnAct.UNCERTAIN
    if any(p.search(text) for p in (CORRECTION, CORRECTION_SWAP, CORRECTION_PLAIN)) or (
        CORRECTION_SHORT.search(text) and len(bare) <= 120
    ):
        return TurnAct.CORRECTION
    if EVIDENCE_REQUEST.search(text):
        return TurnAct.EVIDENCE_REQUEST
    if ADVICE_REQUEST.search(text):
        return TurnAct.ADVICE_REQUEST
    if SMALL_TALK.match(text.strip()):
        return TurnAct.SMALL_TALK
    return None


# A short physical illness, said in passing: "off sick for two days", "ill with a cold".
BRIEF_ILLNESS = re.compile(
    r"\b(?:off sick|off ill|ill|unwell|poorly|laid up)\b[^.!?]{0,30}?\b(?:"
    r"for (?:a|one|two|three|a couple of|a few|\d) (?:day|days)|"
    r"with (?:a |the )?(?:cold|flu|bug|covid|tummy bug|sickness bug|migraine|chest infection))\b",
    re.IGNORECASE,
)


def brief_illness(text: str) -> bool:
    return bool(BRIEF_ILLNESS.search(normalise(text)))


def commitment_offered(text: str) -> bool:
    return bool(COMMITMENT.search(normalise(text)))


def insight_signalled(text: str) -> bool:
    return bool(INSIGHT.search(normalise(text)))


# "I could raise it at the board, or ..." weighs options; it is not yet a plan.
HEDGED_OPTION = _any(
    r"\b(?:i|we) (?:could|might|may|should probably)\b",
    r"\bmaybe i(?:'ll| will| could| should)?\b|\bperhaps i\b|\bone option\b|\bor i could\b",
    r"\b(?:i'?m|i am) (?:not sure|wondering) (?:whether|if)\b",
)

OPENING_CHARS = 12  # "ok. I'll ..." / "Right - I'm going to ..." still open with the plan


def commitment_opens(text: str) -> bool:
    """The message starts with a plan of the leader's own ("I'll ring her on Monday")."""
    match = COMMITMENT.search(normalise(text))
    return bool(match and match.start() <= OPENING_CHARS)


def hedged_option(text: str) -> bool:
    return bool(HEDGED_OPTION.search(normalise(text)))
