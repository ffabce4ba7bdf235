"""Everyday short forms of given names: ``formal name: nickname, nickname``.

Civil filings and informal reports often carry the name people go by (Bill for William,
Peggy for Margaret, Paco for Francisco, Sasha for Aleksandr), which defeats exact and
edit-distance comparison alike; a resolver needs a nickname table to link them.
"""

from __future__ import annotations

NICKNAMES = """
William: Bill, Will, Billy
Robert: Bob, Rob, Bobby
Richard: Dick, Rick, Rich
James: Jim, Jimmy, Jamie
John: Jack, Johnny
Michael: Mike, Mikey
Thomas: Tom, Tommy
Charles: Chuck, Charlie
Joseph: Joe, Joey
Christopher: Chris
Daniel: Dan, Danny
Matthew: Matt
Anthony: Tony
Donald: Don, Donny
Steven: Steve
Stephen: Steve
Andrew: Andy, Drew
Joshua: Josh
Kenneth: Ken, Kenny
Edward: Ed, Eddie, Ted
Timothy: Tim
Ronald: Ron, Ronnie
Jeffrey: Jeff
Gregory: Greg
Benjamin: Ben
Samuel: Sam
Patrick: Pat
Alexander: Alex, Al
Nicholas: Nick
Jonathan: Jon
Zachary: Zach
Lawrence: Larry
Gerald: Jerry
Raymond: Ray
Frederick: Fred
Walter: Walt
Henry: Hank, Harry
Peter: Pete
David: Dave
Douglas: Doug
Nathan: Nate
Harold: Hal
Albert: Al, Bert
Arthur: Art
Philip: Phil
Vincent: Vince, Vinny
Russell: Russ
Bradley: Brad
Eugene: Gene
Louis: Lou
Jacob: Jake
Margaret: Peggy, Maggie, Meg
Elizabeth: Liz, Beth, Betty
Jennifer: Jen, Jenny
Patricia: Pat, Patty, Trish
Katherine: Kate, Kathy, Katie
Kathleen: Kathy, Kate
Catherine: Cathy, Kate
Susan: Sue, Susie
Deborah: Deb, Debbie
Debra: Deb, Debbie
Barbara: Barb
Jessica: Jess
Rebecca: Becky
Christine: Chris, Chrissy
Christina: Tina
Victoria: Vicky, Tori
Kimberly: Kim
Cynthia: Cindy
Pamela: Pam
Dorothy: Dot, Dottie
Abigail: Abby
Samantha: Sam
Judith: Judy
Theresa: Terry, Tess
Mary: Molly, Polly
Sandra: Sandy
Michelle: Shelly
Amanda: Mandy
Melissa: Missy
Stephanie: Steph
Nicole: Nikki
Angela: Angie
Jacqueline: Jackie
Virginia: Ginny
Frances: Fran
Beverly: Bev
Isabella: Bella
Sophia: Sophie
Francisco: Paco, Pancho, Frank
José: Pepe, Joe
Guadalupe: Lupe
Jesús: Chuy
Alejandro: Alex
Roberto: Beto
Alberto: Beto
Enrique: Kike
Ignacio: Nacho
Dolores: Lola
Manuel: Manny, Manolo
Eduardo: Lalo
Antonio: Toño, Tony
Guillermo: Memo
Concepción: Concha
Rosario: Chayo
Josefina: Fina
Aleksandr: Sasha
Mikhail: Misha
Dmitri: Dima
Vladimir: Volodya, Vova
Sergei: Seryozha
Ivan: Vanya
Nikolai: Kolya
Alexei: Alyosha
Yevgeni: Zhenya
Pavel: Pasha
Konstantin: Kostya
Yekaterina: Katya
Natalya: Natasha
Tatyana: Tanya
Yelena: Lena
Maria: Masha
Anastasia: Nastya
Lyudmila: Lyuda
Svetlana: Sveta
Irina: Ira
Daria: Dasha
Nadezhda: Nadya
Maksim: Max
Mohammed: Mo
Youssef: Joe
Ibrahim: Abe
Rajesh: Raj
Vikram: Vik
Krzysztof: Chris
Giovanni: Gianni
"""
