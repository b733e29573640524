## English (en). Fixed wording of TSB circulars, taken from ../shared/reference/wording.md.
## Messages marked "# unverified" have no sourced phrase there: have a language reviewer check them.

organisation = INTERNATIONAL TELECOMMUNICATION UNION
bureau = Telecommunication Standardization Bureau
# unverified
sender-name = ITU Telecommunication Standardization Bureau
date-line = Geneva, { DATE($date) }
reference-label = Ref:
circular-designation = TSB Circular { $number }
# No label: TSB's English circulars start each line with "To …" (wording.md §5, §10 [48]). An
# empty message leaves the label out.
addressees-label = { "" }
# The mark that ends every line of the addressee and copy lists but the last.
list-separator = ;
contact-label = Contact:
tel-label = Tel:
fax-label = Fax:
email-label = E-mail:
subject-label = Subject:
# unverified
mail-subject = { $designation }: { $subject }
salutation = Dear Sir/Madam,
closing = Yours faithfully,
signature-title = Director of the Telecommunication Standardization Bureau
copy-label = Copy:
annexes = { $count ->
    [one] Annex: { $count }
   *[other] Annexes: { $count }
}
signed = (signed)
# unverified
# The addressee's name ends the sentence after a colon, where it needs no article (not "of
# Administration of …").
footer-reason = You receive this circular as a contact of the following entity in the ITU distribution list: { $addressee }
# unverified
footer-unsubscribe = To stop receiving these circulars, unsubscribe here: { $unsubscribe }
# unverified
footer-preferences = To choose the language and the topics of the circulars you receive: { $preferences }
# unverified
footer-language = To receive them in another language, reply to this message.

# The same people in every language, in the order of TSB Circular 36 (wording.md §6, [1]). Each
# line is a phrase of this language's cell in wording.md §6 or §10, after the list's "To"
# (§5, §6), or is marked unverified; tests/category_wording.rs checks it.
category-member-states = To Member States of the Union
# unverified
category-palestine = To the State of Palestine (Resolution 99 (Rev. Dubai, 2018))
# unverified
category-sector-members = To ITU Sector Members
# unverified
category-associates = To ITU Associates
category-academia = To ITU Academia
# unverified
category-permanent-missions = To Permanent Missions and Embassies in Geneva
# unverified
category-international-organizations = To relevant international, regional and national organizations
category-satellite-organizations = To intergovernmental organizations operating satellite systems
category-united-nations = To the United Nations
category-specialized-agencies = To the specialized agencies of the United Nations and the International Atomic Energy Agency
# unverified
category-study-group-chairs = To the Chairmen and Vice-Chairmen of ITU-T Study Groups
category-director-bdt = To the Director of the Telecommunication Development Bureau
category-director-br = To the Director of the Radiocommunication Bureau
category-secretary-general = To the Secretary-General of the ITU
