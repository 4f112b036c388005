package evidence
import ("testing"; "fmt")
func TestZZDebug(t *testing.T) {
	f := newFixture(t, 80, 22)
	m := f.tab(t, 80, 22)
	s, _ := press(t, m, "e")
	fmt.Println(plain(s.View()))
	fmt.Printf("%q\n", m.form.desc.View())
}
