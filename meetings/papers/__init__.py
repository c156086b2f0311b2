"""Papers: what a meeting looks like on paper. One content model (``pdf.Paper``) built per reader
(``reading``) or for the public (``meetings.woo``), laid out as PDF (``pdf``) and Word (``docx``); and the
vergaderbundel, decided per reader (``bundle``) and laid out as one PDF and a zip (``bundle_pdf``)."""
